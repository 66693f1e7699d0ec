// One lane of the vector unit: every elementwise op of docs/design.md in a
// single fixed-latency pipeline (LaneLat registers, all advancing on en_i), so
// that all ops share one valid/stall scheme. The op is constant during a
// VECTOR operation, so it is not carried per element.
//   P1  ADD/SUB/EXP-arg/RSQRT-arg adder, products (MUL, ROWSUMSQ, AXPY,
//       ROPE's two), MAX, MASK_CAUSAL, SILU's -x
//   P2  the second add of AXPY and ROPE
//   E   exp (kiln_vu_exp) for EXP and SILU_MUL
//   R   recip (of x, or of 1 + exp(-x) for SILU_MUL) and rsqrt
//   Q   SILU_MUL's x * r * src1
// Operands arrive canonicalised (kiln_vu_pkg::canon); the order of every
// rounding is the golden vu_elementwise's (cosim/golden/src/vector.cpp).
module kiln_vu_lane
  import kiln_vu_pkg::*;
#(
  parameter bit Odd_p = 1'b0  // odd lane: the x1/s element of a ROPE pair
) (
  input  logic        clk_i,
  input  logic        en_i,
  input  vu_op_e      op_i,
  input  logic [31:0] a_i,      // src0
  input  logic [31:0] b_i,      // src1
  input  logic [31:0] c_i,      // src2
  input  logic [31:0] pa_i,     // src0 of the partner lane (lane ^ 1)
  input  logic [31:0] pb_i,     // src1 of the partner lane
  input  logic        mask_i,   // MASK_CAUSAL: this column is masked
  output logic [31:0] y_o
);
  // ---- P1
  logic [31:0] sum1, m0a, m0b, m1a, m1b, mul0, mul1, v1, w1;
  logic [31:0] p1_v_q, p1_w_q, p1_x_q;
  kiln_tc_fp32_add u_add1 (
    .a_i(a_i), .b_i((op_i == OpSub || op_i == OpExp) ? {~b_i[31], b_i[30:0]} : b_i), .sum_o(sum1)
  );
  always_comb begin
    m0a = a_i;  m0b = b_i;  m1a = pa_i;  m1b = pb_i;
    if (op_i == OpRowSumSq) m0b = a_i;
    if (op_i == OpRope && Odd_p) begin
      m0a = pa_i;  // x0 * s
      m1a = a_i;   // x1 * c
    end
  end
  kiln_vu_fp32_mul u_mul0 (.a_i(m0a), .b_i(m0b), .p_o(mul0));
  kiln_vu_fp32_mul u_mul1 (.a_i(m1a), .b_i(m1b), .p_o(mul1));
  always_comb begin
    unique case (op_i)
      OpAdd, OpSub, OpExp, OpRsqrt:       v1 = sum1;
      OpMul, OpRowSumSq, OpAxpy, OpRope:  v1 = mul0;
      OpMax:        v1 = (order_key(b_i) > order_key(a_i)) ? b_i : a_i;
      OpSiluMul:    v1 = {~a_i[31], a_i[30:0]};  // exp(-x)
      OpMaskCausal: v1 = mask_i ? NegInf : a_i;
      default:      v1 = a_i;
    endcase
    unique case (op_i)
      OpAxpy:  w1 = c_i;
      OpRope:  w1 = mul1;
      default: w1 = b_i;
    endcase
  end

  // ---- P2
  logic [31:0] add2, v2, p2_v_q, p2_x_q, p2_b_q;
  kiln_tc_fp32_add u_add2 (
    .a_i(p1_v_q), .b_i((op_i == OpRope && !Odd_p) ? {~p1_w_q[31], p1_w_q[30:0]} : p1_w_q),
    .sum_o(add2)
  );
  assign v2 = (op_i == OpAxpy || op_i == OpRope) ? add2 : p1_v_q;

  always_ff @(posedge clk_i) begin
    if (en_i) begin
      p1_v_q <= v1;  p1_w_q <= w1;  p1_x_q <= a_i;
      p2_v_q <= v2;  p2_x_q <= p1_x_q;  p2_b_q <= p1_w_q;
    end
  end

  // ---- E
  logic [31:0] e, ed_v, ed_x, ed_b, v3, rin, rr, rq;
  kiln_vu_exp u_exp (.clk_i, .en_i, .x_i(p2_v_q), .y_o(e));
  kiln_vu_delay #(.Width_p(96), .Depth_p(ExpLat)) u_dly_e (
    .clk_i, .en_i, .d_i({p2_v_q, p2_x_q, p2_b_q}), .q_o({ed_v, ed_x, ed_b})
  );

  // ---- R
  assign v3 = (op_i == OpExp || op_i == OpSiluMul) ? e : ed_v;
  kiln_tc_fp32_add u_one (.a_i(e), .b_i(FpOne), .sum_o(rin));
  kiln_vu_recip #(.Rsqrt_p(1'b0)) u_recip (
    .clk_i, .en_i, .x_i((op_i == OpSiluMul) ? rin : ed_v), .y_o(rr)
  );
  kiln_vu_recip #(.Rsqrt_p(1'b1)) u_rsqrt (.clk_i, .en_i, .x_i(ed_v), .y_o(rq));
  logic [31:0] rd_v, rd_x, rd_b;
  kiln_vu_delay #(.Width_p(96), .Depth_p(RecLat)) u_dly_r (
    .clk_i, .en_i, .d_i({v3, ed_x, ed_b}), .q_o({rd_v, rd_x, rd_b})
  );

  // ---- Q
  logic [31:0] sx, sxb, yq, y_q;
  kiln_vu_fp32_mul u_sx (.a_i(rd_x), .b_i(rr), .p_o(sx));
  // silu(-Inf) is its limit -0, not -Inf * 0 = NaN
  kiln_vu_fp32_mul u_sxb (.a_i((rd_x == NegInf) ? 32'h8000_0000 : sx), .b_i(rd_b), .p_o(sxb));
  always_comb begin
    unique case (op_i)
      OpRecip:   yq = rr;
      OpRsqrt:   yq = rq;
      OpSiluMul: yq = sxb;
      default:   yq = rd_v;
    endcase
  end
  always_ff @(posedge clk_i) begin
    if (en_i) y_q <= yq;
  end
  assign y_o = y_q;
endmodule
