// FP32 multiplier of the numerics policy (docs/numerics.md, golden
// fp32_mul): DAZ inputs, one RNE rounding of the 48-bit product at
// unbounded exponent, then FTZ (exponent <= 0 -> signed zero) or overflow
// (-> Inf), canonical NaN, Inf x 0 = NaN. Combinational.
module kiln_vu_fp32_mul (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [31:0] p_o
);
  logic        sign, a_nan, b_nan, a_inf, b_inf, a_zero, b_zero, g, st, rnd;
  logic [47:0] p, n;
  logic [24:0] mant;
  logic signed [9:0] e, ef;

  always_comb begin
    sign   = a_i[31] ^ b_i[31];
    a_nan  = (a_i[30:23] == 8'hFF) && (a_i[22:0] != 23'd0);
    b_nan  = (b_i[30:23] == 8'hFF) && (b_i[22:0] != 23'd0);
    a_inf  = (a_i[30:23] == 8'hFF) && (a_i[22:0] == 23'd0);
    b_inf  = (b_i[30:23] == 8'hFF) && (b_i[22:0] == 23'd0);
    a_zero = (a_i[30:23] == 8'h00);
    b_zero = (b_i[30:23] == 8'h00);

    p    = {24'd0, 1'b1, a_i[22:0]} * {24'd0, 1'b1, b_i[22:0]};
    e    = $signed({2'b00, a_i[30:23]}) + $signed({2'b00, b_i[30:23]}) - 10'sd127 +
           $signed({9'd0, p[47]});
    n    = p[47] ? p : {p[46:0], 1'b0};  // leading one at bit 47
    g    = n[23];
    st   = |n[22:0];
    rnd  = g & (st | n[24]);
    mant = {1'b0, n[47:24]} + {24'd0, rnd};
    ef   = mant[24] ? e + 10'sd1 : e;

    if (a_nan || b_nan || (a_inf && b_zero) || (b_inf && a_zero)) begin
      p_o = 32'h7FC0_0000;
    end else if (a_inf || b_inf) begin
      p_o = {sign, 8'hFF, 23'd0};
    end else if (a_zero || b_zero) begin
      p_o = {sign, 31'd0};
    end else if (ef >= 10'sd255) begin
      p_o = {sign, 8'hFF, 23'd0};
    end else if (ef <= 10'sd0) begin
      p_o = {sign, 31'd0};
    end else begin
      p_o = {sign, ef[7:0], mant[24] ? mant[23:1] : mant[22:0]};
    end
  end
endmodule
