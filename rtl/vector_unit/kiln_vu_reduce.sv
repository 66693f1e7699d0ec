// Row reductions of the vector unit (docs/numerics.md "Reduction order"):
// each beat of 8 lanes is one group, summed by the fixed tree
// ((e0+e1)+(e2+e3))+((e4+e5)+(e6+e7)) and added to the running sum, which
// starts from +0 at the first beat of a row; lanes past COLS count as +0.
// ROWMAX/ROWARGMAX keep the first element of the largest order key
// (kiln_vu_pkg::order_key: NaN above +Inf, +0 above -0). res_o is the row
// result including the current beat (valid in the beat's cycle); state
// advances on en_i.
module kiln_vu_reduce
  import kiln_vu_pkg::*;
(
  input  logic         clk_i,
  input  logic         en_i,
  input  vu_op_e       op_i,
  input  logic [255:0] y_i,      // lane i in bits [32i+31:32i]
  input  logic [7:0]   vm_i,     // lanes inside COLS
  input  logic         first_i,  // first beat of a row
  input  logic [31:0]  col_i,    // column of lane 0
  output logic [31:0]  res_o
);
  logic [31:0] e [8];
  logic [31:0] s01, s23, s45, s67, s03, s47, gs, acc_in, sum_new, acc_q;
  logic [31:0] gk, gv, gi, bk_new, bv_new, bi_new, bk_q, bv_q, bi_q, k;

  always_comb begin
    for (int i = 0; i < 8; i++) e[i] = vm_i[i] ? y_i[32*i +: 32] : 32'd0;
  end
  kiln_tc_fp32_add u_s01 (.a_i(e[0]), .b_i(e[1]), .sum_o(s01));
  kiln_tc_fp32_add u_s23 (.a_i(e[2]), .b_i(e[3]), .sum_o(s23));
  kiln_tc_fp32_add u_s45 (.a_i(e[4]), .b_i(e[5]), .sum_o(s45));
  kiln_tc_fp32_add u_s67 (.a_i(e[6]), .b_i(e[7]), .sum_o(s67));
  kiln_tc_fp32_add u_s03 (.a_i(s01), .b_i(s23), .sum_o(s03));
  kiln_tc_fp32_add u_s47 (.a_i(s45), .b_i(s67), .sum_o(s47));
  kiln_tc_fp32_add u_gs  (.a_i(s03), .b_i(s47), .sum_o(gs));
  assign acc_in = first_i ? 32'd0 : acc_q;
  kiln_tc_fp32_add u_acc (.a_i(acc_in), .b_i(gs), .sum_o(sum_new));

  always_comb begin
    // lane 0 is always inside COLS; a later lane wins only if strictly larger
    gk = order_key(y_i[31:0]);
    gv = y_i[31:0];
    gi = col_i;
    for (int i = 1; i < 8; i++) begin
      k = order_key(y_i[32*i +: 32]);
      if (vm_i[i] && k > gk) begin
        gk = k;
        gv = y_i[32*i +: 32];
        gi = col_i + 32'(i);
      end
    end
    if (first_i || gk > bk_q) begin
      bk_new = gk;  bv_new = gv;  bi_new = gi;
    end else begin
      bk_new = bk_q;  bv_new = bv_q;  bi_new = bi_q;
    end
    unique case (op_i)
      OpRowMax:    res_o = bv_new;
      OpRowArgmax: res_o = bi_new;
      default:     res_o = sum_new;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (en_i) begin
      acc_q <= sum_new;
      bk_q  <= bk_new;
      bv_q  <= bv_new;
      bi_q  <= bi_new;
    end
  end
endmodule
