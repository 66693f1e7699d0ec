// Processing element of the weight-stationary array (rtl/tensor_core/README.md).
// Two weight registers (double buffering, selected by the tag that travels
// with each activation), two pipeline stages:
//   stage 1: prod_q  <= a * w[a_buf]          (exact BF16 product or int16)
//   stage 2: psum_q  <= psum_i + prod_q       (FP32 RNE or int32 wrap)
// psum_i belongs to the activation that entered one cycle earlier, which is
// the array's skew: PE(r+1,c) sees the activation one cycle after PE(r,c).
module kiln_tc_pe (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        int8_i,     // 1: INT8 lanes (low byte), int32 sums
  // weight load into one buffer
  input  logic        w_we_i,
  input  logic        w_buf_i,
  input  logic [15:0] w_data_i,
  // activation in from the left, out to the right (registered)
  input  logic [15:0] a_data_i,
  input  logic        a_buf_i,
  output logic [15:0] a_data_o,
  output logic        a_buf_o,
  // partial sum from above, to below (registered)
  input  logic [31:0] psum_i,
  output logic [31:0] psum_o
);
  logic [15:0] w_q [2];
  logic [15:0] a_q;
  logic        a_buf_q;
  logic [31:0] prod_d, prod_q, psum_d, psum_q;
  logic [31:0] fp_prod, fp_sum;
  logic [15:0] int_prod;

  kiln_tc_bf16_mul u_mul (.a_i(a_data_i), .b_i(w_q[a_buf_i]), .prod_o(fp_prod));
  kiln_tc_fp32_add u_add (.a_i(psum_i), .b_i(prod_q), .sum_o(fp_sum));

  always_comb begin
    int_prod = 16'($signed(a_data_i[7:0]) * $signed(w_q[a_buf_i][7:0]));
    prod_d   = int8_i ? {{16{int_prod[15]}}, int_prod} : fp_prod;
    psum_d   = int8_i ? (psum_i + prod_q) : fp_sum;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_q[0]  <= 16'd0;
      w_q[1]  <= 16'd0;
      a_q     <= 16'd0;
      a_buf_q <= 1'b0;
      prod_q  <= 32'd0;
      psum_q  <= 32'd0;
    end else begin
      if (w_we_i) w_q[w_buf_i] <= w_data_i;
      a_q     <= a_data_i;
      a_buf_q <= a_buf_i;
      prod_q  <= prod_d;
      psum_q  <= psum_d;
    end
  end

  assign a_data_o = a_q;
  assign a_buf_o  = a_buf_q;
  assign psum_o   = psum_q;
endmodule
