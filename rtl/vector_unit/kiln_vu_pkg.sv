// Shared definitions of the vector unit (docs/design.md "Vector unit",
// docs/numerics.md "Vector unit"): op codes, FP32 constants of the
// approximations and small bit-level helpers used by several stages.
package kiln_vu_pkg;

  typedef enum logic [3:0] {
    OpAdd = 4'd0, OpSub = 4'd1, OpMul = 4'd2, OpMax = 4'd3, OpExp = 4'd4, OpRecip = 4'd5,
    OpRsqrt = 4'd6, OpSiluMul = 4'd7, OpCopy = 4'd8, OpRowMax = 4'd9, OpRowSum = 4'd10,
    OpRowSumSq = 4'd11, OpRowArgmax = 4'd12, OpMaskCausal = 4'd13, OpRope = 4'd14,
    OpAxpy = 4'd15
  } vu_op_e;

  localparam logic [31:0] CanonNaN = 32'h7FC0_0000;
  localparam logic [31:0] PosInf   = 32'h7F80_0000;
  localparam logic [31:0] NegInf   = 32'hFF80_0000;
  localparam logic [31:0] FpOne    = 32'h3F80_0000;
  localparam logic [31:0] FpHalf   = 32'h3F00_0000;

  // exp: Cody-Waite reduction and a degree-6 Taylor polynomial (Horner).
  localparam logic [31:0] ExpLog2e = 32'h3FB8_AA3B;
  localparam logic [31:0] ExpLn2Hi = 32'h3F31_7200;  // 15 significant bits: n*hi exact
  localparam logic [31:0] ExpLn2Lo = 32'h35BF_BE8E;
  localparam logic [31:0] ExpLo    = 32'hC2AE_999A;  // -87.3
  localparam logic [31:0] ExpHi    = 32'h42B1_70A4;  // 88.72
  localparam int unsigned ExpTerms = 6;
  // c5, c4, c3, c2, c1, c0: added after each multiplication by r (c6 first).
  localparam logic [31:0] ExpC6 = 32'h3AB6_0B61;
  localparam logic [32*ExpTerms-1:0] ExpCoef = {
    32'h3F80_0000, 32'h3F80_0000, 32'h3F00_0000, 32'h3E2A_AAAB, 32'h3D2A_AAAB, 32'h3C08_8889
  };  // index k (bits [32k+:32]) is the constant added in Horner step k

  localparam logic [31:0] RecipMagic = 32'h7EF3_11C3;
  localparam logic [31:0] RsqrtMagic = 32'h5F37_59DF;
  localparam int unsigned NewtonSteps = 3;

  // Pipeline registers of the units (kiln_vu_exp, kiln_vu_recip) and of a
  // whole lane (kiln_vu_lane: P1, P2, exp, recip/rsqrt, Q).
  localparam int unsigned ExpLat  = 3 + ExpTerms;
  localparam int unsigned RecLat  = 1 + NewtonSteps;
  localparam int unsigned LaneLat = 3 + ExpLat + RecLat;

  // Operand read: denormal -> signed zero (DAZ), NaN -> canonical NaN.
  function automatic logic [31:0] canon(input logic [31:0] x);
    if (x[30:23] == 8'hFF && x[22:0] != 23'd0) return CanonNaN;
    if (x[30:23] == 8'h00) return {x[31], 31'd0};
    return x;
  endfunction

  // Unsigned key ordering canonical values -Inf < .. < -0 < +0 < .. < +Inf < NaN.
  function automatic logic [31:0] order_key(input logic [31:0] x);
    return x[31] ? ~x : {1'b1, x[30:0]};
  endfunction

  // The sign does not matter for NaN-ness.
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic logic is_nan(input logic [31:0] x);
    return (x[30:23] == 8'hFF) && (x[22:0] != 23'd0);
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  // Adds d to the exponent of a normal value: FTZ below, Inf above.
  function automatic logic [31:0] scale_exp(input logic [31:0] p, input logic signed [9:0] d);
    logic signed [10:0] e;
    e = $signed({3'b000, p[30:23]}) + 11'(d);
    if (e >= 11'sd255) return {p[31], 8'hFF, 23'd0};
    if (e <= 11'sd0) return {p[31], 31'd0};
    return {p[31], e[7:0], p[22:0]};
  endfunction

endpackage : kiln_vu_pkg
