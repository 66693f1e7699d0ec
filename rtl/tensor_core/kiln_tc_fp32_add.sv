// FP32 adder of the Kiln numerics policy (docs/numerics.md): DAZ inputs, FTZ
// results, round to nearest even, canonical NaN. Combinational; the golden
// model cosim/golden/src/numerics.cpp (fp32_add) follows the same steps.
module kiln_tc_fp32_add (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [31:0] sum_o
);
  localparam logic [31:0] CanonNaN = 32'h7FC0_0000;

  logic        a_nan, b_nan, a_inf, b_inf, a_zero, b_zero;
  logic        swap, same_sign;
  logic [31:0] x, y;
  logic [7:0]  d, dc;
  logic [26:0] mx, my, my_al;
  logic [53:0] my_wide;
  logic [27:0] s;
  logic [26:0] s_shl;
  logic [4:0]  lz;
  logic [26:0] n;
  logic signed [9:0] e, ef;
  logic [24:0] mant;
  logic        rnd;
  logic [31:0] normal_res;

  always_comb begin
    a_nan  = (a_i[30:23] == 8'hFF) && (a_i[22:0] != 23'd0);
    b_nan  = (b_i[30:23] == 8'hFF) && (b_i[22:0] != 23'd0);
    a_inf  = (a_i[30:23] == 8'hFF) && (a_i[22:0] == 23'd0);
    b_inf  = (b_i[30:23] == 8'hFF) && (b_i[22:0] == 23'd0);
    a_zero = (a_i[30:23] == 8'h00);  // DAZ: denormals are zeros
    b_zero = (b_i[30:23] == 8'h00);

    // x has the larger magnitude and gives the sign.
    swap      = (b_i[30:0] > a_i[30:0]);
    x         = swap ? b_i : a_i;
    y         = swap ? a_i : b_i;
    same_sign = (x[31] == y[31]);
    d         = x[30:23] - y[30:23];
    dc        = (d > 8'd27) ? 8'd27 : d;
    mx        = {1'b1, x[22:0], 3'b000};
    my        = {1'b1, y[22:0], 3'b000};
    my_wide   = {my, 27'd0} >> dc;
    my_al     = my_wide[53:27] | {26'd0, |my_wide[26:0]};  // sticky
    s         = same_sign ? ({1'b0, mx} + {1'b0, my_al}) : ({1'b0, mx} - {1'b0, my_al});

    lz = 5'd28;
    for (int i = 0; i < 28; i++) begin
      if (s[i]) lz = 5'(27 - i);
    end

    e     = $signed({2'b00, x[30:23]}) + 10'sd1 - $signed({5'd0, lz});
    // The leading one lands on bit 26, so bit 27 of the shifted value is zero.
    s_shl = (lz == 5'd0) ? 27'd0 : 27'(s << (lz - 5'd1));
    n     = (lz == 5'd0) ? {s[27:2], s[1] | s[0]} : s_shl;

    rnd  = n[2] & ((n[1] | n[0]) | n[3]);
    mant = {1'b0, n[26:3]} + {24'd0, rnd};
    ef   = mant[24] ? (e + 10'sd1) : e;

    // Operands are multiples of 2^-149, so results below 2^-126 are exact:
    // flushing on the pre-rounding exponent is the same as after rounding.
    if (s == 28'd0) begin
      normal_res = 32'd0;  // x + (-x) = +0
    end else if (e <= 10'sd0) begin
      normal_res = {x[31], 31'd0};
    end else if (ef >= 10'sd255) begin
      normal_res = {x[31], 8'hFF, 23'd0};
    end else begin
      normal_res = {x[31], ef[7:0], mant[24] ? mant[23:1] : mant[22:0]};
    end

    if (a_nan || b_nan || (a_inf && b_inf && (a_i[31] != b_i[31]))) begin
      sum_o = CanonNaN;
    end else if (a_inf) begin
      sum_o = a_i;
    end else if (b_inf) begin
      sum_o = b_i;
    end else if (a_zero && b_zero) begin
      sum_o = {a_i[31] & b_i[31], 31'd0};
    end else if (a_zero) begin
      sum_o = b_i;
    end else if (b_zero) begin
      sum_o = a_i;
    end else begin
      sum_o = normal_res;
    end
  end
endmodule
