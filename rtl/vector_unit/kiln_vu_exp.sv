// exp(x) of the vector unit, bit-exact with the golden vu_exp
// (docs/numerics.md "exp"): clamp, t = x*log2e, n = rint(t) (ties to even),
// r = (x - n*ln2_hi) - n*ln2_lo, p = Horner degree-6 Taylor polynomial in r
// (one multiply-then-add, each rounded, per stage), result = p * 2^n via
// the exponent field. Pipeline of ExpLat registers, all advancing on en_i.
module kiln_vu_exp
  import kiln_vu_pkg::*;
(
  input  logic        clk_i,
  input  logic        en_i,
  input  logic [31:0] x_i,
  output logic [31:0] y_o
);
  // special result carried along: 0 none, 1 +0, 2 +Inf, 3 NaN
  logic [1:0]  s0_spec_q, s1_spec_q, s2_spec_q;
  logic [31:0] s0_x_q, s0_t_q, s1_x_q, s1_a_q, s1_b_q, s2_r_q;
  logic signed [9:0] s1_n_q, s2_n_q;

  // ---- stage 0: clamp tests and t = x * log2(e)
  logic [31:0] xc, t;
  logic [1:0]  spec0;
  always_comb begin
    xc = canon(x_i);
    if (is_nan(xc))                               spec0 = 2'd3;
    else if (order_key(xc) <= order_key(ExpLo))   spec0 = 2'd1;
    else if (order_key(ExpHi) <= order_key(xc))   spec0 = 2'd2;
    else                                          spec0 = 2'd0;
  end
  kiln_vu_fp32_mul u_t (.a_i(xc), .b_i(ExpLog2e), .p_o(t));

  // ---- stage 1: n = rint(t), its FP32 value and the two products with ln2
  logic signed [9:0] eu, n;
  logic [23:0] m;
  logic [4:0]  sh;
  // ip < 256 whenever the result is not clamped (|t| < 256), so its upper
  // bits never matter.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [23:0] ip;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [23:0] rem, half, lowmask;
  logic [8:0]  mag;
  logic [31:0] nf, a1, b1;
  logic [3:0]  pos;
  always_comb begin
    eu      = $signed({2'b00, s0_t_q[30:23]}) - 10'sd127;
    m       = {1'b1, s0_t_q[22:0]};
    // |t| < 256 outside the clamped ranges, so eu <= 7 and sh is 16..24.
    sh      = (eu > 10'sd7 || eu < -10'sd1) ? 5'd24 : 5'(10'sd23 - eu);
    ip      = m >> sh;
    lowmask = (24'd1 << sh) - 24'd1;
    rem     = m & lowmask;
    half    = 24'd1 << (sh - 5'd1);
    mag     = 9'(ip) + {8'd0, (rem > half) || ((rem == half) && ip[0])};
    if (s0_t_q[30:23] == 8'd0 || eu < -10'sd1 || eu > 10'sd7) mag = 9'd0;
    n = s0_t_q[31] ? -$signed({1'b0, mag}) : $signed({1'b0, mag});
    // exact FP32 of the integer: leading one of mag
    pos = 4'd0;
    for (int i = 0; i < 9; i++) begin
      if (mag[i]) pos = 4'(i);
    end
    if (mag == 9'd0) nf = 32'd0;
    else nf = {s0_t_q[31], 8'(8'd127 + {4'd0, pos}), 23'({mag, 23'd0} >> pos)};
  end
  kiln_vu_fp32_mul u_ahi (.a_i(nf), .b_i(ExpLn2Hi), .p_o(a1));
  kiln_vu_fp32_mul u_alo (.a_i(nf), .b_i(ExpLn2Lo), .p_o(b1));

  // ---- stage 2: r = (x - n*ln2_hi) - n*ln2_lo
  logic [31:0] r1, r2;
  kiln_tc_fp32_add u_r1 (.a_i(s1_x_q), .b_i({~s1_a_q[31], s1_a_q[30:0]}), .sum_o(r1));
  kiln_tc_fp32_add u_r2 (.a_i(r1), .b_i({~s1_b_q[31], s1_b_q[30:0]}), .sum_o(r2));

  always_ff @(posedge clk_i) begin
    if (en_i) begin
      s0_x_q <= xc;        s0_t_q <= t;   s0_spec_q <= spec0;
      s1_x_q <= s0_x_q;    s1_a_q <= a1;  s1_b_q <= b1;  s1_n_q <= n;  s1_spec_q <= s0_spec_q;
      s2_r_q <= r2;        s2_n_q <= s1_n_q;  s2_spec_q <= s1_spec_q;
    end
  end

  // ---- stages 3..: Horner, p = p*r + c (two roundings per stage)
  logic [31:0] hp_q [ExpTerms];
  logic [31:0] hr_q [ExpTerms];
  logic signed [9:0] hn_q [ExpTerms];
  logic [1:0]  hs_q [ExpTerms];
  logic [31:0] hprod [ExpTerms];
  logic [31:0] hsum [ExpTerms];
  for (genvar k = 0; k < int'(ExpTerms); k++) begin : g_horner
    logic [31:0] p_in, r_in;
    assign p_in = (k == 0) ? ExpC6 : hp_q[k == 0 ? 0 : k-1];
    assign r_in = (k == 0) ? s2_r_q : hr_q[k == 0 ? 0 : k-1];
    kiln_vu_fp32_mul u_m (.a_i(p_in), .b_i(r_in), .p_o(hprod[k]));
    kiln_tc_fp32_add u_a (.a_i(hprod[k]), .b_i(ExpCoef[32*k +: 32]), .sum_o(hsum[k]));
    always_ff @(posedge clk_i) begin
      if (en_i) begin
        hp_q[k] <= hsum[k];
        hr_q[k] <= r_in;
        hn_q[k] <= (k == 0) ? s2_n_q : hn_q[k == 0 ? 0 : k-1];
        hs_q[k] <= (k == 0) ? s2_spec_q : hs_q[k == 0 ? 0 : k-1];
      end
    end
  end

  always_comb begin
    unique case (hs_q[ExpTerms-1])
      2'd1:    y_o = 32'd0;
      2'd2:    y_o = PosInf;
      2'd3:    y_o = CanonNaN;
      default: y_o = scale_exp(hp_q[ExpTerms-1], hn_q[ExpTerms-1]);
    endcase
  end
endmodule
