// Kiln vector unit: elementwise and row-reduction ops over scratchpad rows
// (docs/design.md "Vector unit", arithmetic: docs/numerics.md, spec and
// timing: rtl/vector_unit/README.md).
//
// A *beat* is 8 consecutive elements of a row: one FP32 word or half a BF16
// word. The datapath is 8 lanes wide and takes one beat per cycle:
//   agen x3 -> read ports -> FIFO x3 -> beat sequencer -> 8 lanes (LaneLat
//   registers) -> reduction / write formatting -> write register W
// Read ports walk the beats on their own (kiln_vu_agen) and only request
// while their FIFO has a free slot for every read in flight, so read data
// is never lost. The lanes, their metadata and the reduction state advance
// together on `adv`, which is low only while W holds a write the
// scratchpad has not granted yet: a refused write stalls the datapath, a
// refused read just leaves a bubble.
module kiln_vector_unit
  import kiln_vu_pkg::*;
#(
  parameter int unsigned AW = $clog2(kiln_hw_pkg::ScratchpadBytes / 32)
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          abort_i,
  input  logic          start_i,
  input  logic [7:0]    cfg_op_i,
  // FLAGS bits 3, 7:6 and 31:9 are reserved (docs/design.md); ignored.
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [31:0]   cfg_flags_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [31:0]   cfg_rows_i,
  input  logic [31:0]   cfg_cols_i,
  input  logic [31:0]   cfg_src0_addr_i,
  input  logic [31:0]   cfg_src0_stride_i,
  input  logic [31:0]   cfg_src1_addr_i,
  input  logic [31:0]   cfg_src1_stride_i,
  input  logic [31:0]   cfg_src2_addr_i,
  input  logic [31:0]   cfg_dst_addr_i,
  input  logic [31:0]   cfg_dst_stride_i,
  input  logic [31:0]   cfg_imm_i,
  input  logic [31:0]   cfg_aux_i,
  output logic          busy_o,
  output logic          done_o,
  output logic [2:0]    rd_req_o,
  output logic [AW-1:0] rd_addr_o [3],
  input  logic [2:0]    rd_gnt_i,
  input  logic [2:0]    rd_rvalid_i,
  input  logic [255:0]  rd_rdata_i [3],
  output logic          wr_req_o,
  output logic [AW-1:0] wr_addr_o,
  output logic [255:0]  wr_wdata_o,
  output logic [31:0]   wr_wstrb_o,
  input  logic          wr_gnt_i,
  output logic          perf_stall_o,
  output logic [4:0]    perf_elems_o
);
  localparam int unsigned FifoDepth = 4;
  localparam int unsigned L = LaneLat;

  // ------------------------------------------------------------ configuration
  logic        busy_q, done_q, start;
  vu_op_e      op_q;
  logic        f0_q, f1_q, fd_q, rowsum_q, red_q, use1_q, use2_q;
  logic [1:0]  mode_q;
  logic [31:0] rows_q, cols_q, beats_q, dst_addr_q, dst_stride_q, imm_q, aux_q;
  logic [31:0] cfg_beats;
  logic        cfg_empty, cfg_use1, cfg_use2;
  vu_op_e      cfg_op;

  assign start     = start_i && !busy_q && !abort_i;
  assign cfg_op    = vu_op_e'(cfg_op_i[3:0]);
  assign cfg_beats = 32'(({1'b0, cfg_cols_i} + 33'd7) >> 3);
  // rows or cols of 0, or an unknown op: nothing to do, done next cycle
  assign cfg_empty = (cfg_rows_i == 32'd0) || (cfg_cols_i == 32'd0) || (cfg_op_i[7:4] != 4'd0);
  always_comb begin
    unique case (cfg_op)
      OpAdd, OpSub, OpMul, OpMax, OpExp, OpRsqrt, OpSiluMul, OpRope, OpAxpy:
               cfg_use1 = (cfg_flags_i[5:4] != 2'd3);
      default: cfg_use1 = 1'b0;
    endcase
    cfg_use2 = (cfg_op == OpAxpy);
  end

  // ---------------------------------------------------------------- read side
  logic [2:0]  ag_valid, infl_q, fifo_push, fifo_pop, fifo_nonempty;
  logic [255:0] fifo_data [3];
  logic [2:0]  fifo_cnt [3];
  logic [1:0]  ag_mode [3];
  logic [2:0]  ag_half;
  logic [31:0] ag_base [3], ag_stride [3];
  logic [2:0]  ag_en;

  always_comb begin
    ag_en     = {cfg_use2, cfg_use1, 1'b1} & {3{!cfg_empty}};
    ag_mode   = '{2'd0, cfg_flags_i[5:4], 2'd0};
    ag_half   = {!cfg_flags_i[0], !cfg_flags_i[1], !cfg_flags_i[0]};
    ag_base   = '{cfg_src0_addr_i, cfg_src1_addr_i, cfg_src2_addr_i};
    ag_stride = '{cfg_src0_stride_i, cfg_src1_stride_i, cfg_src0_stride_i};
  end

  for (genvar p = 0; p < 3; p++) begin : g_port
    kiln_vu_agen #(.AW(AW)) u_agen (
      .clk_i, .rst_ni,
      .clear_i  (abort_i),
      .load_i   (start),
      .en_i     (ag_en[p]),
      .mode_i   (ag_mode[p]),
      .half_i   (ag_half[p]),
      .base_i   (ag_base[p]),
      .stride_i (ag_stride[p]),
      .rows_i   (cfg_rows_i),
      .beats_i  (cfg_beats),
      .fire_i   (rd_req_o[p] && rd_gnt_i[p]),
      .valid_o  (ag_valid[p]),
      .addr_o   (rd_addr_o[p])
    );
    // A request needs a FIFO slot for itself and for the read still in flight.
    assign rd_req_o[p]  = ag_valid[p] && ({1'b0, fifo_cnt[p]} + {3'd0, infl_q[p]} < 4'(FifoDepth));
    assign fifo_push[p] = infl_q[p] && rd_rvalid_i[p];
    assign fifo_nonempty[p] = (fifo_cnt[p] != 3'd0);
    kiln_vu_fifo #(.Width_p(256), .Depth_p(FifoDepth)) u_fifo (
      .clk_i, .rst_ni,
      .clear_i (abort_i || start),
      .push_i  (fifo_push[p]),
      .data_i  (rd_rdata_i[p]),
      .pop_i   (fifo_pop[p]),
      .data_o  (fifo_data[p]),
      .count_o (fifo_cnt[p])
    );
    always_ff @(posedge clk_i) begin
      if (!rst_ni || abort_i) infl_q[p] <= 1'b0;
      else                    infl_q[p] <= rd_req_o[p] && rd_gnt_i[p];
      assert (!infl_q[p] || rd_rvalid_i[p] || abort_i)
        else $error("kiln_vector_unit: read data missing one cycle after grant");
    end
  end

  // ----------------------------------------------------------- beat sequencer
  logic        seq_q, ready, beat_in, adv, hf, last_beat;
  logic [31:0] sr_q, sb_q, col_q, drow_q, dword;
  logic [31:0] a [8], b [8], c [8];
  logic [7:0]  vm, hit;
  logic [31:0] s1_scalar;

  assign ready   = fifo_nonempty[0] && (fifo_nonempty[1] || !use1_q) &&
                   (fifo_nonempty[2] || !use2_q);
  assign beat_in = seq_q && ready && adv;
  assign fifo_pop = {3{beat_in}} & {use2_q, use1_q, 1'b1};
  assign hf        = sb_q[0];
  assign last_beat = (sb_q == beats_q - 32'd1);
  assign dword     = drow_q + (fd_q ? sb_q : {1'b0, sb_q[31:1]});

  // Element i of a beat from a FIFO word (FP32 lane i, or BF16 element
  // 8*hf + i), canonicalised: the operand read of docs/numerics.md.
  function automatic logic [31:0] elem(input logic [255:0] w, input logic fp32,
                                       input logic h, input int i);
    if (fp32) return canon(w[32*i +: 32]);
    return canon({w[16*(8*int'(h) + i) +: 16], 16'd0});
  endfunction

  always_comb begin
    s1_scalar = (mode_q == 2'd3) ? canon(imm_q) : canon(fifo_data[1][32*sr_q[2:0] +: 32]);
    for (int i = 0; i < 8; i++) begin
      vm[i]  = ({1'b0, col_q} + 33'(i)) < {1'b0, cols_q};
      // MASK_CAUSAL: column > row + (int32)AUX, in 34-bit signed arithmetic
      hit[i] = $signed({2'b00, col_q} + 34'(i)) >
               ($signed({2'b00, sr_q}) + $signed({{2{aux_q[31]}}, aux_q}));
      a[i] = vm[i] ? elem(fifo_data[0], f0_q, hf, i) : 32'd0;
      b[i] = !vm[i] ? 32'd0 : (mode_q[1] ? s1_scalar : elem(fifo_data[1], f1_q, hf, i));
      c[i] = (vm[i] && use2_q) ? elem(fifo_data[2], f0_q, hf, i) : 32'd0;
    end
  end

  // ------------------------------------------------------------------- lanes
  logic [255:0] y;
  for (genvar i = 0; i < 8; i++) begin : g_lane
    kiln_vu_lane #(.Odd_p(i % 2 == 1)) u_lane (
      .clk_i,
      .en_i   (adv),
      .op_i   (op_q),
      .a_i    (a[i]),
      .b_i    (b[i]),
      .c_i    (c[i]),
      .pa_i   (a[i ^ 1]),
      .pb_i   (b[i ^ 1]),
      .mask_i (hit[i]),
      .y_o    (y[32*i +: 32])
    );
  end

  // Beat metadata, travelling with the lanes.
  typedef struct packed {
    logic        first, last, hf;
    logic [7:0]  vm;
    logic [31:0] dword, row, col;
  } meta_t;
  logic  md_v_q [L];
  meta_t md_q   [L];
  meta_t mend;
  logic  ev, any_md;
  assign mend = md_q[L-1];
  assign ev   = md_v_q[L-1];
  always_comb begin
    any_md = 1'b0;
    for (int i = 0; i < int'(L); i++) any_md |= md_v_q[i];
  end

  // ------------------------------------------------- reduction and write side
  logic [31:0] red_res;
  kiln_vu_reduce u_reduce (
    .clk_i,
    .en_i    (adv && ev),
    .op_i    (op_q),
    .y_i     (y),
    .vm_i    (mend.vm),
    .first_i (mend.first),
    .col_i   (mend.col),
    .res_o   (red_res)
  );

  logic [15:0]  yb [8];
  logic [255:0] ew_data;
  logic [31:0]  ew_strb, rw_strb;
  // word addresses wrap modulo the AW-bit scratchpad: upper bits dropped
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0]  rw_word;
  /* verilator lint_on UNUSEDSIGNAL */
  for (genvar i = 0; i < 8; i++) begin : g_bf16
    kiln_tc_fp32_to_bf16 u_cvt (.a_i(y[32*i +: 32]), .h_o(yb[i]));
  end
  always_comb begin
    ew_data = '0;
    ew_strb = '0;
    for (int i = 0; i < 8; i++) begin
      if (fd_q) begin
        ew_data[32*i +: 32] = y[32*i +: 32];
        ew_strb[4*i +: 4]   = {4{mend.vm[i]}};
      end else begin
        ew_data[16*(8*int'(mend.hf) + i) +: 16] = yb[i];
        ew_strb[2*(8*int'(mend.hf) + i) +: 2]   = {2{mend.vm[i]}};
      end
    end
    rw_strb = 32'hF << {mend.row[2:0], 2'b00};
    rw_word = (rowsum_q ? aux_q : dst_addr_q) + {3'b000, mend.row[31:3]};
  end

  // W: up to two writes of one beat (the element write, and the row result
  // after the last beat of a row), issued element write first.
  logic          we_v_q, rw_v_q;
  logic [AW-1:0] we_addr_q, rw_addr_q;
  logic [255:0]  we_data_q, rw_data_q;
  logic [31:0]   we_strb_q, rw_strb_q;
  assign adv = (!we_v_q && !rw_v_q) || (wr_gnt_i && (we_v_q ^ rw_v_q));
  assign wr_req_o   = we_v_q || rw_v_q;
  assign wr_addr_o  = we_v_q ? we_addr_q : rw_addr_q;
  assign wr_wdata_o = we_v_q ? we_data_q : rw_data_q;
  assign wr_wstrb_o = we_v_q ? we_strb_q : rw_strb_q;

  // ------------------------------------------------------------------ state
  logic fin;
  assign fin = busy_q && !seq_q && !any_md && !we_v_q && !rw_v_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || abort_i) begin
      busy_q <= 1'b0;
      done_q <= 1'b0;
      seq_q  <= 1'b0;
      we_v_q <= 1'b0;
      rw_v_q <= 1'b0;
      for (int i = 0; i < int'(L); i++) md_v_q[i] <= 1'b0;
      if (!rst_ni) begin
        op_q <= OpAdd;
        {f0_q, f1_q, fd_q, rowsum_q, red_q, use1_q, use2_q, mode_q} <= '0;
        {rows_q, cols_q, beats_q, dst_addr_q, dst_stride_q, imm_q, aux_q} <= '0;
        {sr_q, sb_q, col_q, drow_q} <= '0;
      end
    end else begin
      done_q <= fin;
      if (fin) busy_q <= 1'b0;
      if (start) begin
        busy_q       <= 1'b1;
        seq_q        <= !cfg_empty;
        op_q         <= cfg_op;
        f0_q         <= cfg_flags_i[0];
        f1_q         <= cfg_flags_i[1];
        fd_q         <= cfg_flags_i[2];
        mode_q       <= cfg_flags_i[5:4];
        rowsum_q     <= (cfg_op == OpExp) && cfg_flags_i[8];
        red_q        <= (cfg_op == OpRowMax) || (cfg_op == OpRowSum) ||
                        (cfg_op == OpRowSumSq) || (cfg_op == OpRowArgmax);
        use1_q       <= cfg_use1;
        use2_q       <= cfg_use2;
        rows_q       <= cfg_rows_i;
        cols_q       <= cfg_cols_i;
        beats_q      <= cfg_beats;
        dst_addr_q   <= cfg_dst_addr_i;
        dst_stride_q <= cfg_dst_stride_i;
        imm_q        <= cfg_imm_i;
        aux_q        <= cfg_aux_i;
        sr_q   <= '0;
        sb_q   <= '0;
        col_q  <= '0;
        drow_q <= cfg_dst_addr_i;
      end else if (beat_in) begin
        if (last_beat) begin
          sb_q   <= '0;
          col_q  <= '0;
          sr_q   <= sr_q + 32'd1;
          drow_q <= drow_q + dst_stride_q;
          if (sr_q == rows_q - 32'd1) seq_q <= 1'b0;
        end else begin
          sb_q  <= sb_q + 32'd1;
          col_q <= col_q + 32'd8;
        end
      end
      if (adv) begin
        md_v_q[0] <= beat_in;
        for (int i = 1; i < int'(L); i++) md_v_q[i] <= md_v_q[i-1];
        we_v_q <= ev && !red_q;
        rw_v_q <= ev && mend.last && (red_q || rowsum_q);
      end else if (wr_gnt_i) begin
        // both pending: the element write went, the row result stays
        we_v_q <= 1'b0;
      end
    end
  end

  // Datapath registers without reset: qualified by the valid bits above.
  always_ff @(posedge clk_i) begin
    if (adv) begin
      md_q[0] <= '{first: (sb_q == 32'd0), last: last_beat, hf: hf, vm: vm,
                   dword: dword, row: sr_q, col: col_q};
      for (int i = 1; i < int'(L); i++) md_q[i] <= md_q[i-1];
      we_addr_q <= mend.dword[AW-1:0];
      we_data_q <= ew_data;
      we_strb_q <= ew_strb;
      rw_addr_q <= rw_word[AW-1:0];
      rw_data_q <= {8{red_res}};
      rw_strb_q <= rw_strb;
    end
  end

  assign busy_o       = busy_q;
  assign done_o       = done_q;
  assign perf_elems_o = (adv && ev) ? 5'($countones(mend.vm)) : 5'd0;
  assign perf_stall_o = busy_q && (!adv || (seq_q && !ready));
endmodule
