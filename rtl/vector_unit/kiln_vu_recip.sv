// 1/x and 1/sqrt(x) of the vector unit, bit-exact with the golden vu_recip
// and vu_rsqrt (docs/numerics.md): the mantissa m (in [1,2) resp. [1,4)) is
// inverted by a magic-constant seed and NewtonSteps correction-form Newton
// steps in rounded FP32 ops, and the exponent is put back exactly
// afterwards, so the seed never sees extreme exponents. Rsqrt_p selects the
// function. Pipeline of Lat registers advancing on en_i.
module kiln_vu_recip
  import kiln_vu_pkg::*;
#(
  parameter bit Rsqrt_p = 1'b0,
  localparam int unsigned Lat = RecLat
) (
  input  logic        clk_i,
  input  logic        en_i,
  input  logic [31:0] x_i,
  output logic [31:0] y_o
);
  // special result: 0 none, 1 +-Inf (sign of x), 2 +-0 (sign of x), 3 NaN
  logic [1:0]  spec0, sp_q [Lat];
  logic [31:0] xc, m0, y0;
  logic signed [9:0] eu, d0, d_q [Lat];
  logic [31:0] m_q [Lat], y_q [Lat];
  logic        sg_q [Lat];

  always_comb begin
    xc = canon(x_i);
    eu = $signed({2'b00, xc[30:23]}) - 10'sd127;
    if (is_nan(xc))                        spec0 = 2'd3;
    else if (xc[30:23] == 8'd0)            spec0 = 2'd1;
    else if (Rsqrt_p && xc[31])            spec0 = 2'd3;
    else if (xc[30:23] == 8'hFF)           spec0 = 2'd2;
    else                                   spec0 = 2'd0;
    if (Rsqrt_p) begin
      // x = m * 2^(2k) with m in [1,4): rsqrt(x) = rsqrt(m) * 2^-k
      m0 = {1'b0, eu[0] ? 8'h80 : 8'h7F, xc[22:0]};
      y0 = RsqrtMagic - {1'b0, m0[31:1]};
      d0 = -(eu >>> 1);
    end else begin
      m0 = {9'h07F, xc[22:0]};
      y0 = RecipMagic - m0;
      d0 = -eu;
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i) begin
      sp_q[0] <= spec0;
      d_q[0]  <= d0;
      m_q[0]  <= m0;
      y_q[0]  <= y0;
      sg_q[0] <= xc[31];
    end
  end

  for (genvar s = 1; s < int'(Lat); s++) begin : g_newton
    logic [31:0] my, corr, yc, ynew;
    kiln_vu_fp32_mul u_my (.a_i(m_q[s-1]), .b_i(y_q[s-1]), .p_o(my));
    if (Rsqrt_p) begin : g_rsqrt
      // y += y * (1/2 - (m y) y / 2)
      logic [31:0] myy, h;
      kiln_vu_fp32_mul u_myy (.a_i(my), .b_i(y_q[s-1]), .p_o(myy));
      kiln_vu_fp32_mul u_h (.a_i(myy), .b_i(FpHalf), .p_o(h));
      kiln_tc_fp32_add u_c (.a_i(FpHalf), .b_i({~h[31], h[30:0]}), .sum_o(corr));
    end else begin : g_recip
      // y += y * (1 - m y)
      kiln_tc_fp32_add u_c (.a_i(FpOne), .b_i({~my[31], my[30:0]}), .sum_o(corr));
    end
    kiln_vu_fp32_mul u_yc (.a_i(y_q[s-1]), .b_i(corr), .p_o(yc));
    kiln_tc_fp32_add u_y (.a_i(y_q[s-1]), .b_i(yc), .sum_o(ynew));
    always_ff @(posedge clk_i) begin
      if (en_i) begin
        sp_q[s] <= sp_q[s-1];
        d_q[s]  <= d_q[s-1];
        m_q[s]  <= m_q[s-1];
        y_q[s]  <= ynew;
        sg_q[s] <= sg_q[s-1];
      end
    end
  end

  logic [31:0] scaled;
  always_comb begin
    scaled = scale_exp(y_q[Lat-1], d_q[Lat-1]);
    unique case (sp_q[Lat-1])
      2'd1:    y_o = {sg_q[Lat-1], 8'hFF, 23'd0};
      2'd2:    y_o = {sg_q[Lat-1], 31'd0};
      2'd3:    y_o = CanonNaN;
      default: y_o = Rsqrt_p ? scaled : {sg_q[Lat-1], scaled[30:0]};
    endcase
  end
endmodule
