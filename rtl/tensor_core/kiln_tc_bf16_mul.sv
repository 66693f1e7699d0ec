// Exact BF16 x BF16 product as FP32 (docs/numerics.md): the 8x8-bit
// significand product always fits FP32's 24 bits, so only overflow (-> Inf)
// and underflow (-> signed zero) change the value. Combinational.
module kiln_tc_bf16_mul (
  input  logic [15:0] a_i,
  input  logic [15:0] b_i,
  output logic [31:0] prod_o
);
  localparam logic [31:0] CanonNaN = 32'h7FC0_0000;

  logic        sign, a_nan, b_nan, a_inf, b_inf, a_zero, b_zero;
  logic [15:0] p;
  logic signed [9:0] e;
  logic [22:0] frac;

  always_comb begin
    sign   = a_i[15] ^ b_i[15];
    a_nan  = (a_i[14:7] == 8'hFF) && (a_i[6:0] != 7'd0);
    b_nan  = (b_i[14:7] == 8'hFF) && (b_i[6:0] != 7'd0);
    a_inf  = (a_i[14:7] == 8'hFF) && (a_i[6:0] == 7'd0);
    b_inf  = (b_i[14:7] == 8'hFF) && (b_i[6:0] == 7'd0);
    a_zero = (a_i[14:7] == 8'h00);  // DAZ
    b_zero = (b_i[14:7] == 8'h00);

    p    = {8'd0, 1'b1, a_i[6:0]} * {8'd0, 1'b1, b_i[6:0]};
    e    = $signed({2'b00, a_i[14:7]}) + $signed({2'b00, b_i[14:7]}) - 10'sd127 +
           $signed({9'd0, p[15]});
    frac = p[15] ? {p[14:0], 8'd0} : {p[13:0], 9'd0};

    if (a_nan || b_nan || (a_inf && b_zero) || (b_inf && a_zero)) begin
      prod_o = CanonNaN;
    end else if (a_inf || b_inf) begin
      prod_o = {sign, 8'hFF, 23'd0};
    end else if (a_zero || b_zero) begin
      prod_o = {sign, 31'd0};
    end else if (e >= 10'sd255) begin
      prod_o = {sign, 8'hFF, 23'd0};
    end else if (e <= 10'sd0) begin
      prod_o = {sign, 31'd0};  // FTZ
    end else begin
      prod_o = {sign, e[7:0], frac};
    end
  end
endmodule
