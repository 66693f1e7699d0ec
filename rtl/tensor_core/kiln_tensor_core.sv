// Kiln tensor core: MATMUL into the accumulator memory and WRITEBACK to the
// scratchpad (rtl/tensor_core/README.md, docs/numerics.md, TC registers).
// Three engines run concurrently during MATMUL:
//   loader   - reads the weights of tile (t,j) into the free weight buffer,
//              one scratchpad word per cycle: Rows weight rows of B, or with
//              a transposed B (Bt[n][k] = B[k][n]) Cols weight columns
//              (words outside K or N are written as zeros without a read);
//   streamer - reads A rows of the tile whose weights are ready and injects
//              them into the array one per cycle; the weight-buffer tag
//              travels with each row;
//   drain    - a buffer becomes free again once the last row that used it
//              has passed every PE of the array.
// Results leave the array Rows+Cols cycles after injection and go through
// the accumulator's read-modify-write pipeline (kiln_tc_acc). WRITEBACK is
// its own engine (kiln_tc_writeback).
module kiln_tensor_core #(
  parameter int unsigned Rows    = kiln_hw_pkg::TensorCoreRows,
  parameter int unsigned Cols    = kiln_hw_pkg::TensorCoreCols,
  parameter int unsigned AccRows = kiln_hw_pkg::TensorCoreAccRows,
  parameter int unsigned AW      = $clog2(kiln_hw_pkg::ScratchpadBytes / 32)
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          abort_i,
  input  logic          start_i,
  input  logic [1:0]    cfg_opcode_i,
  input  logic [1:0]    cfg_dtype_i,
  input  logic          cfg_accumulate_i,
  input  logic          cfg_out_fp32_i,
  input  logic          cfg_b_transposed_i,
  input  logic [31:0]   cfg_a_addr_i,
  input  logic [31:0]   cfg_a_stride_i,
  input  logic [31:0]   cfg_b_addr_i,
  input  logic [31:0]   cfg_b_stride_i,
  input  logic [31:0]   cfg_acc_addr_i,
  input  logic [31:0]   cfg_m_i,
  input  logic [31:0]   cfg_n_i,
  input  logic [31:0]   cfg_k_i,
  input  logic [31:0]   cfg_out_addr_i,
  input  logic [31:0]   cfg_out_stride_i,
  output logic          busy_o,
  output logic          done_o,
  output logic          a_req_o,
  output logic [AW-1:0] a_addr_o,
  input  logic          a_gnt_i,
  input  logic          a_rvalid_i,
  input  logic [255:0]  a_rdata_i,
  output logic          b_req_o,
  output logic [AW-1:0] b_addr_o,
  input  logic          b_gnt_i,
  input  logic          b_rvalid_i,
  input  logic [255:0]  b_rdata_i,
  output logic          o_req_o,
  output logic [AW-1:0] o_addr_o,
  output logic [255:0]  o_wdata_o,
  output logic [31:0]   o_wstrb_o,
  input  logic          o_gnt_i,
  output logic          perf_stall_o,
  output logic          perf_row_o
);
  localparam int unsigned RowW  = $clog2(Rows);  // also the loader's word index (Rows == Cols)
  localparam int unsigned ColW  = $clog2(Cols);
  localparam int unsigned AccAW = $clog2(AccRows);
  localparam int unsigned MdLen = Rows + Cols;  // injection -> de-skewed output
  localparam int unsigned CntW  = $clog2(Cols + 1);
  // A buffer may be rewritten once the last row that used it passed column
  // Cols-1 of every array row: see README "Weight double buffering".
  localparam logic [CntW-1:0] DrainInit = CntW'(Cols - 2);

  // The scratchpad word is 16 lanes of 16 bit: one lane per array row/column.
  if (Rows != 16 || Cols != 16) begin : g_bad_geometry
    initial $fatal(1, "kiln_tensor_core: the 256-bit word layout needs a 16x16 array");
  end

  typedef enum logic [1:0] {SIdle, SMatmul, SWriteback} state_e;
  typedef enum logic [1:0] {BFree, BLoad, BReady, BUse} bstate_e;
  // BUse covers "in use" and "draining"; drain_q tells them apart.

  state_e      state_q, state_d;
  logic        done_q, done_d;
  // latched configuration
  logic        int8_q, accum_q, fp32_q, bt_q;
  logic [31:0] a_addr_q, a_stride_q, b_stride_q;
  logic [31:0] m_q, n_q, k_q, out_stride_q, n_tiles_q, k_chunks_q;

  // weight buffers
  bstate_e        bst_q [2], bst_d [2];
  logic [1:0]     drain_q, drain_d;
  logic [CntW-1:0] bcnt_q [2], bcnt_d [2];

  // loader: word ld_r of tile (t,j) is weight row r (k = 16j+r) or, with
  // bt_q, weight column c (n = 16t+c); ld_kbase = 16j, ld_ncol = 16t;
  // ld_tbase / ld_jbase: address of word 0 of tile (t,0) / (t,j)
  logic            ld_run_q, ld_run_d, ld_buf_q, ld_buf_d;
  logic [RowW-1:0] ld_r_q, ld_r_d;
  logic [31:0]     ld_t_q, ld_t_d, ld_j_q, ld_j_d, ld_kbase_q, ld_kbase_d;
  logic [31:0]     ld_ncol_q, ld_ncol_d, ld_ptr_q, ld_ptr_d;
  logic [31:0]     ld_tbase_q, ld_tbase_d, ld_jbase_q, ld_jbase_d;
  logic [31:0]     ld_krem, ld_nrem;
  logic            ld_can, ld_ivalid, ld_fire;
  logic            ldp_v_q, ldp_v_d, ldp_buf_q, ldp_buf_d, ldp_zero_q, ldp_zero_d;
  logic            ldp_last_q, ldp_last_d;
  logic [RowW-1:0] ldp_idx_q, ldp_idx_d;
  logic [Cols-1:0] ldp_lmask_q, ldp_lmask_d;
  logic [Cols*16-1:0] w_data;

  // streamer
  logic        s_run_q, s_run_d, s_buf_q, s_buf_d;
  logic [31:0] s_t_q, s_t_d, s_j_q, s_j_d, s_m_q, s_m_d, s_kbase_q, s_kbase_d;
  logic [31:0] s_ptr_q, s_ptr_d, s_chunk_q, s_chunk_d, s_accbase_q, s_accbase_d;
  logic [31:0] s_accptr_q, s_accptr_d;
  logic        s_can, s_fire;
  logic            inj_v_q, inj_v_d, inj_buf_q, inj_buf_d, inj_ovw_q, inj_ovw_d;
  logic            inj_last_q, inj_last_d;
  logic [Rows-1:0] inj_kmask_q, inj_kmask_d;
  logic [AccAW-1:0] inj_addr_q, inj_addr_d;
  logic [Rows*16-1:0] a_data;

  // result metadata, aligned with the array's de-skewed output
  logic             md_v_q    [MdLen];
  logic             md_ovw_q  [MdLen];
  logic [AccAW-1:0] md_addr_q [MdLen];
  logic             md_any;
  logic [Cols*32-1:0] arr_out;

  // writeback engine and accumulator
  logic        wb_start, wb_busy, wb_stall, wb_rd_req;
  logic [AccAW-1:0] wb_rd_addr;
  logic [Cols*32-1:0] acc_rd;
  logic        acc_busy;

  // ---------------------------------------------------------------- datapath
  kiln_tc_array #(.Rows(Rows), .Cols(Cols)) u_array (
    .clk_i, .rst_ni,
    .int8_i   (int8_q),
    .w_we_i   (ldp_v_q),
    .w_col_i  (bt_q),
    .w_idx_i  (ldp_idx_q),
    .w_buf_i  (ldp_buf_q),
    .w_data_i (w_data),
    .a_data_i (a_data),
    .a_buf_i  (inj_buf_q),
    .out_o    (arr_out)
  );

  kiln_tc_acc #(.Cols(Cols), .AccRows(AccRows)) u_acc (
    .clk_i, .rst_ni,
    .flush_i     (abort_i),
    .int8_i      (int8_q),
    .upd_valid_i (md_v_q[MdLen-1]),
    .upd_addr_i  (md_addr_q[MdLen-1]),
    .upd_ovw_i   (md_ovw_q[MdLen-1]),
    .upd_data_i  (arr_out),
    .upd_busy_o  (acc_busy),
    .rd_req_i    (wb_rd_req),
    .rd_addr_i   (wb_rd_addr),
    .rd_data_o   (acc_rd)
  );

  assign wb_start = !abort_i && (state_q == SIdle) && start_i && (cfg_opcode_i == 2'd1) &&
                    (cfg_m_i != 0) && (cfg_n_i != 0);

  kiln_tc_writeback #(.Cols(Cols), .AccAW(AccAW), .AW(AW)) u_wb (
    .clk_i, .rst_ni, .abort_i,
    .start_i        (wb_start),
    .cfg_acc_addr_i,
    .cfg_out_addr_i,
    .fp32_i         (fp32_q),
    .m_i            (m_q),
    .n_i            (n_q),
    .n_tiles_i      (n_tiles_q),
    .out_stride_i   (out_stride_q),
    .busy_o         (wb_busy),
    .stall_o        (wb_stall),
    .rd_req_o       (wb_rd_req),
    .rd_addr_o      (wb_rd_addr),
    .rd_data_i      (acc_rd),
    .o_req_o, .o_addr_o, .o_wdata_o, .o_wstrb_o, .o_gnt_i
  );

  // Operand masking: K lanes past K and N columns past N read as zero, so
  // scratchpad padding never reaches the arithmetic. A loader word's lanes
  // are columns (n) of B, or K rows with a transposed B.
  always_comb begin
    for (int c = 0; c < int'(Cols); c++) begin
      w_data[16*c +: 16] = (ldp_zero_q || !ldp_lmask_q[c]) ? 16'd0 : b_rdata_i[16*c +: 16];
    end
    for (int r = 0; r < int'(Rows); r++) begin
      a_data[16*r +: 16] = (inj_v_q && inj_kmask_q[r]) ? a_rdata_i[16*r +: 16] : 16'd0;
    end
  end

  // ------------------------------------------------------------ control
  always_comb begin
    md_any = 1'b0;
    for (int i = 0; i < int'(MdLen); i++) md_any = md_any | md_v_q[i];
  end

  always_comb begin
    state_d = state_q;
    done_d  = 1'b0;
    bst_d   = bst_q;
    bcnt_d  = bcnt_q;
    drain_d = drain_q;
    {ld_run_d, ld_buf_d, ld_r_d, ld_t_d, ld_j_d, ld_kbase_d} =
        {ld_run_q, ld_buf_q, ld_r_q, ld_t_q, ld_j_q, ld_kbase_q};
    {ld_ncol_d, ld_ptr_d, ld_tbase_d, ld_jbase_d} = {ld_ncol_q, ld_ptr_q, ld_tbase_q, ld_jbase_q};
    {ldp_v_d, ldp_buf_d, ldp_zero_d, ldp_last_d, ldp_idx_d} = {1'b0, ldp_buf_q, ldp_zero_q, 1'b0, ldp_idx_q};
    ldp_lmask_d = ldp_lmask_q;
    {s_run_d, s_buf_d, s_t_d, s_j_d, s_m_d, s_kbase_d} =
        {s_run_q, s_buf_q, s_t_q, s_j_q, s_m_q, s_kbase_q};
    {s_ptr_d, s_chunk_d, s_accbase_d, s_accptr_d} = {s_ptr_q, s_chunk_q, s_accbase_q, s_accptr_q};
    {inj_v_d, inj_buf_d, inj_ovw_d, inj_last_d} = {1'b0, inj_buf_q, inj_ovw_q, 1'b0};
    inj_kmask_d = inj_kmask_q;
    inj_addr_d  = inj_addr_q;

    // drain counters
    for (int b = 0; b < 2; b++) begin
      if (drain_q[b]) begin
        if (bcnt_q[b] == '0) begin
          drain_d[b] = 1'b0;
          bst_d[b]   = BFree;
        end else begin
          bcnt_d[b] = bcnt_q[b] - 1'b1;
        end
      end
    end

    // loader: issue one weight word per cycle. Consecutive words of a tile
    // are B_STRIDE apart in both layouts; the next K chunk starts 16 rows
    // further (B) or one word further (Bt), the next column tile one word
    // further (B) or 16 rows further (Bt).
    ld_can    = (state_q == SMatmul) && ld_run_q &&
                ((bst_q[ld_buf_q] == BFree && !drain_q[ld_buf_q]) || bst_q[ld_buf_q] == BLoad);
    ld_krem   = k_q - ld_kbase_q;  // K rows of this chunk, >= 1
    ld_nrem   = n_q - ld_ncol_q;   // N columns of this tile, >= 1
    ld_ivalid = 32'(ld_r_q) < (bt_q ? ld_nrem : ld_krem);
    b_req_o   = ld_can && ld_ivalid;
    b_addr_o  = AW'(ld_ptr_q);
    ld_fire   = ld_can && (!ld_ivalid || b_gnt_i);
    if (ld_fire) begin
      ldp_v_d    = 1'b1;
      ldp_idx_d  = ld_r_q;
      ldp_buf_d  = ld_buf_q;
      ldp_zero_d = !ld_ivalid;
      ldp_last_d = (ld_r_q == RowW'(Rows - 1));
      for (int c = 0; c < int'(Cols); c++) ldp_lmask_d[c] = 32'(c) < (bt_q ? ld_krem : ld_nrem);
      bst_d[ld_buf_q] = BLoad;
      ld_ptr_d = ld_ptr_q + b_stride_q;
      ld_r_d   = ld_r_q + 1'b1;
      if (ld_r_q == RowW'(Rows - 1)) begin
        ld_buf_d = !ld_buf_q;
        if (ld_j_q != k_chunks_q - 32'd1) begin
          ld_j_d     = ld_j_q + 32'd1;
          ld_kbase_d = ld_kbase_q + 32'(Rows);
          ld_jbase_d = ld_jbase_q + (bt_q ? 32'd1 : (b_stride_q << RowW));
          ld_ptr_d   = ld_jbase_d;
        end else begin
          ld_j_d     = 32'd0;
          ld_kbase_d = 32'd0;
          ld_t_d     = ld_t_q + 32'd1;
          ld_ncol_d  = ld_ncol_q + 32'(Cols);
          ld_tbase_d = ld_tbase_q + (bt_q ? (b_stride_q << ColW) : 32'd1);
          ld_jbase_d = ld_tbase_d;
          ld_ptr_d   = ld_tbase_d;
          if (ld_t_q == n_tiles_q - 32'd1) ld_run_d = 1'b0;
        end
      end
    end
    if (ldp_v_q && ldp_last_q) bst_d[ldp_buf_q] = BReady;

    // streamer: issue one A row per cycle into the array
    s_can    = (state_q == SMatmul) && s_run_q && !drain_q[s_buf_q] &&
               (bst_q[s_buf_q] == BReady || bst_q[s_buf_q] == BUse);
    a_req_o  = s_can;
    a_addr_o = AW'(s_ptr_q);
    s_fire   = s_can && a_gnt_i;
    if (s_fire) begin
      inj_v_d    = 1'b1;
      inj_buf_d  = s_buf_q;
      inj_addr_d = AccAW'(s_accptr_q);
      inj_ovw_d  = (s_j_q == 32'd0) && !accum_q;
      inj_last_d = (s_m_q == m_q - 32'd1);
      for (int r = 0; r < int'(Rows); r++) inj_kmask_d[r] = 32'(r) < (k_q - s_kbase_q);
      bst_d[s_buf_q] = BUse;
      s_m_d      = s_m_q + 32'd1;
      s_ptr_d    = s_ptr_q + a_stride_q;
      s_accptr_d = s_accptr_q + 32'd1;
      if (s_m_q == m_q - 32'd1) begin
        s_m_d   = 32'd0;
        s_buf_d = !s_buf_q;
        if (s_j_q != k_chunks_q - 32'd1) begin
          s_j_d      = s_j_q + 32'd1;
          s_kbase_d  = s_kbase_q + 32'(Rows);
          s_chunk_d  = s_chunk_q + 32'd1;
          s_ptr_d    = s_chunk_q + 32'd1;
          s_accptr_d = s_accbase_q;
        end else begin
          s_j_d       = 32'd0;
          s_kbase_d   = 32'd0;
          s_chunk_d   = a_addr_q;
          s_ptr_d     = a_addr_q;
          s_t_d       = s_t_q + 32'd1;
          s_accbase_d = s_accbase_q + m_q;
          s_accptr_d  = s_accbase_q + m_q;
          if (s_t_q == n_tiles_q - 32'd1) s_run_d = 1'b0;
        end
      end
    end
    // The last row of a tile entered the array: start draining its buffer.
    if (inj_v_q && inj_last_q) begin
      drain_d[inj_buf_q] = 1'b1;
      bcnt_d[inj_buf_q]  = DrainInit;
    end

    // completion
    unique case (state_q)
      SIdle: ;
      SMatmul: begin
        if (!ld_run_q && !ldp_v_q && !s_run_q && !inj_v_q && !md_any && !acc_busy) begin
          state_d = SIdle;
          done_d  = 1'b1;
        end
      end
      SWriteback: begin
        if (!wb_busy) begin
          state_d = SIdle;
          done_d  = 1'b1;
        end
      end
      default: state_d = SIdle;
    endcase
  end

  assign busy_o       = (state_q != SIdle);
  assign done_o       = done_q;
  assign perf_row_o   = inj_v_q;
  assign perf_stall_o = ((state_q == SMatmul) && s_run_q && !s_fire) || wb_stall;

  // The scratchpad returns read data exactly one cycle after a grant; the
  // datapath relies on it, so a violation is a protocol error, not a stall.
  // (Both valid bits are 0 in reset, so no reset term is needed.)
  always_ff @(posedge clk_i) begin
    assert (!(ldp_v_q && !ldp_zero_q) || b_rvalid_i)
      else $error("kiln_tensor_core: B read data missing one cycle after grant");
    assert (!inj_v_q || a_rvalid_i)
      else $error("kiln_tensor_core: A read data missing one cycle after grant");
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int i = 0; i < int'(MdLen); i++) begin
        md_v_q[i]    <= 1'b0;
        md_ovw_q[i]  <= 1'b0;
        md_addr_q[i] <= '0;
      end
    end else begin
      md_v_q[0]    <= inj_v_q && !abort_i;
      md_ovw_q[0]  <= inj_ovw_q;
      md_addr_q[0] <= inj_addr_q;
      for (int i = 1; i < int'(MdLen); i++) begin
        md_v_q[i]    <= md_v_q[i-1] && !abort_i;
        md_ovw_q[i]  <= md_ovw_q[i-1];
        md_addr_q[i] <= md_addr_q[i-1];
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= SIdle;
      done_q  <= 1'b0;
      {int8_q, accum_q, fp32_q, bt_q} <= 4'b0000;
      {a_addr_q, a_stride_q, b_stride_q} <= '0;
      {m_q, n_q, k_q, out_stride_q, n_tiles_q, k_chunks_q} <= '0;
      bst_q[0] <= BFree;
      bst_q[1] <= BFree;
      bcnt_q[0] <= '0;
      bcnt_q[1] <= '0;
      drain_q <= 2'b00;
      {ld_run_q, ld_buf_q, ld_r_q, ld_t_q, ld_j_q, ld_kbase_q} <= '0;
      {ld_ncol_q, ld_ptr_q, ld_tbase_q, ld_jbase_q} <= '0;
      {ldp_v_q, ldp_buf_q, ldp_zero_q, ldp_last_q, ldp_idx_q, ldp_lmask_q} <= '0;
      {s_run_q, s_buf_q, s_t_q, s_j_q, s_m_q, s_kbase_q} <= '0;
      {s_ptr_q, s_chunk_q, s_accbase_q, s_accptr_q} <= '0;
      {inj_v_q, inj_buf_q, inj_ovw_q, inj_last_q, inj_kmask_q, inj_addr_q} <= '0;
    end else if (abort_i) begin
      // Soft reset: drop every operation in flight; the accumulator content
      // and the weight registers are kept (both are rewritten before use).
      state_q  <= SIdle;
      done_q   <= 1'b0;
      bst_q[0] <= BFree;
      bst_q[1] <= BFree;
      drain_q  <= 2'b00;
      ld_run_q <= 1'b0;
      ldp_v_q  <= 1'b0;
      s_run_q  <= 1'b0;
      inj_v_q  <= 1'b0;
    end else if (state_q == SIdle && start_i) begin
      state_q      <= (cfg_opcode_i == 2'd1) ? SWriteback : SMatmul;
      done_q       <= 1'b0;
      int8_q       <= (cfg_dtype_i == 2'd1);
      accum_q      <= cfg_accumulate_i;
      fp32_q       <= cfg_out_fp32_i;
      bt_q         <= cfg_b_transposed_i;
      a_addr_q     <= cfg_a_addr_i;
      a_stride_q   <= cfg_a_stride_i;
      b_stride_q   <= cfg_b_stride_i;
      m_q          <= cfg_m_i;
      n_q          <= cfg_n_i;
      k_q          <= cfg_k_i;
      out_stride_q <= cfg_out_stride_i;
      n_tiles_q    <= 32'(({1'b0, cfg_n_i} + 33'(Cols - 1)) >> ColW);
      k_chunks_q   <= 32'(({1'b0, cfg_k_i} + 33'(Rows - 1)) >> RowW);
      // Opcodes 2 and 3 are reserved: they run as an empty MATMUL (done
      // one cycle later, nothing touched).
      ld_run_q  <= (cfg_opcode_i == 2'd0) && (cfg_m_i != 0) && (cfg_n_i != 0) && (cfg_k_i != 0);
      s_run_q   <= (cfg_opcode_i == 2'd0) && (cfg_m_i != 0) && (cfg_n_i != 0) && (cfg_k_i != 0);
      {ld_buf_q, ld_r_q, ld_t_q, ld_j_q, ld_kbase_q, ld_ncol_q} <= '0;
      ld_ptr_q   <= cfg_b_addr_i;
      ld_tbase_q <= cfg_b_addr_i;
      ld_jbase_q <= cfg_b_addr_i;
      ldp_v_q   <= 1'b0;
      {s_buf_q, s_t_q, s_j_q, s_m_q, s_kbase_q} <= '0;
      s_ptr_q     <= cfg_a_addr_i;
      s_chunk_q   <= cfg_a_addr_i;
      s_accbase_q <= cfg_acc_addr_i;
      s_accptr_q  <= cfg_acc_addr_i;
      inj_v_q     <= 1'b0;
    end else begin
      state_q <= state_d;
      done_q  <= done_d;
      bst_q   <= bst_d;
      bcnt_q  <= bcnt_d;
      drain_q <= drain_d;
      {ld_run_q, ld_buf_q, ld_r_q, ld_t_q, ld_j_q, ld_kbase_q} <=
          {ld_run_d, ld_buf_d, ld_r_d, ld_t_d, ld_j_d, ld_kbase_d};
      {ld_ncol_q, ld_ptr_q, ld_tbase_q, ld_jbase_q} <=
          {ld_ncol_d, ld_ptr_d, ld_tbase_d, ld_jbase_d};
      {ldp_v_q, ldp_buf_q, ldp_zero_q, ldp_last_q, ldp_idx_q, ldp_lmask_q} <=
          {ldp_v_d, ldp_buf_d, ldp_zero_d, ldp_last_d, ldp_idx_d, ldp_lmask_d};
      {s_run_q, s_buf_q, s_t_q, s_j_q, s_m_q, s_kbase_q} <=
          {s_run_d, s_buf_d, s_t_d, s_j_d, s_m_d, s_kbase_d};
      {s_ptr_q, s_chunk_q, s_accbase_q, s_accptr_q} <= {s_ptr_d, s_chunk_d, s_accbase_d, s_accptr_d};
      {inj_v_q, inj_buf_q, inj_ovw_q, inj_last_q, inj_kmask_q, inj_addr_q} <=
          {inj_v_d, inj_buf_d, inj_ovw_d, inj_last_d, inj_kmask_d, inj_addr_d};
    end
  end
endmodule
