// Kiln NPU top: CSR slave, scratchpad, DMA, tensor core, vector unit,
// performance counters and the soft-reset sequencer. Spec: rtl/top/README.md.
module kiln_npu_top
  import kiln_hw_pkg::*;
(
  input  logic         clk_i,
  // The tensor core uses rst_ni as an asynchronous reset, the other blocks as
  // a synchronous one; docs/design.md allows both, and the platform releases
  // rst_ni synchronously to clk_i, so mixing them is safe.
  /* verilator lint_off SYNCASYNCNET */
  input  logic         rst_ni,
  /* verilator lint_on SYNCASYNCNET */
  // AXI4-Lite slave: CSR window (offsets)
  input  logic [15:0]  s_axil_awaddr,
  input  logic         s_axil_awvalid,
  output logic         s_axil_awready,
  input  logic [31:0]  s_axil_wdata,
  input  logic [3:0]   s_axil_wstrb,
  input  logic         s_axil_wvalid,
  output logic         s_axil_wready,
  output logic [1:0]   s_axil_bresp,
  output logic         s_axil_bvalid,
  input  logic         s_axil_bready,
  input  logic [15:0]  s_axil_araddr,
  input  logic         s_axil_arvalid,
  output logic         s_axil_arready,
  output logic [31:0]  s_axil_rdata,
  output logic [1:0]   s_axil_rresp,
  output logic         s_axil_rvalid,
  input  logic         s_axil_rready,
  // AXI4 master: DMA to device memory
  output logic [3:0]   m_axi_awid,
  output logic [31:0]  m_axi_awaddr,
  output logic [7:0]   m_axi_awlen,
  output logic [2:0]   m_axi_awsize,
  output logic [1:0]   m_axi_awburst,
  output logic         m_axi_awvalid,
  input  logic         m_axi_awready,
  output logic [255:0] m_axi_wdata,
  output logic [31:0]  m_axi_wstrb,
  output logic         m_axi_wlast,
  output logic         m_axi_wvalid,
  input  logic         m_axi_wready,
  input  logic [3:0]   m_axi_bid,
  input  logic [1:0]   m_axi_bresp,
  input  logic         m_axi_bvalid,
  output logic         m_axi_bready,
  output logic [3:0]   m_axi_arid,
  output logic [31:0]  m_axi_araddr,
  output logic [7:0]   m_axi_arlen,
  output logic [2:0]   m_axi_arsize,
  output logic [1:0]   m_axi_arburst,
  output logic         m_axi_arvalid,
  input  logic         m_axi_arready,
  input  logic [3:0]   m_axi_rid,
  input  logic [255:0] m_axi_rdata,
  input  logic [1:0]   m_axi_rresp,
  input  logic         m_axi_rlast,
  input  logic         m_axi_rvalid,
  output logic         m_axi_rready,
  // interrupts
  output logic         irq_host_o,   // |(IRQ_STATUS & IRQ_ENABLE)
  output logic         irq_fw_o,     // |FW_EVENT
  // STATUS as the CSR reads it, every cycle: lets the platform record unit
  // busy spans (run traces) without polling the register over AXI4-Lite.
  output logic [31:0]  status_o
);

  localparam int unsigned Ch       = DmaChannels;
  localparam int unsigned AW       = ScratchpadAddrBits;
  // Scratchpad ports, lower index wins a bank: TC A, TC B, TC writeback,
  // DMA 0.., then the vector unit's write, src0, src1, src2 ports.
  localparam int unsigned PortVu   = 3 + Ch;
  localparam int unsigned P        = PortVu + 4;
  localparam int unsigned SpadKib4 = ScratchpadBytes / 4096;

  // ---------------------------------------------------------------- CSR ----
  logic [31:0] queue_base_lo, queue_base_hi, queue_size, queue_head, queue_tail;
  logic [31:0] irq_status, irq_enable, err_code, err_addr_lo, err_addr_hi, err_cmd_offset;
  logic [31:0] fence_value, fw_status, fw_event;
  logic [31:0] hwcfg, status, irq_status_set, fw_event_set;
  logic        ctrl_we, doorbell_we, irq_set_we;
  logic [31:0] ctrl_wdata, doorbell_wdata, irq_set_wdata;
  logic [63:0] perf_cycles, perf_tc_busy, perf_tc_stall, perf_macs;
  logic [63:0] perf_dma_rd_bytes, perf_dma_wr_bytes, perf_dma_busy, perf_vu_busy, perf_vu_stall;
  logic [63:0] perf_ch_rd_bytes [Ch], perf_ch_wr_bytes [Ch], perf_ch_busy [Ch], perf_ch_stall [Ch];
  logic [31:0] dma_perf_rd_bytes_lo [Ch], dma_perf_rd_bytes_hi [Ch], dma_perf_wr_bytes_lo [Ch];
  logic [31:0] dma_perf_wr_bytes_hi [Ch], dma_perf_busy_lo [Ch], dma_perf_busy_hi [Ch];
  logic [31:0] dma_perf_stall_lo [Ch], dma_perf_stall_hi [Ch];
  for (genvar c = 0; c < Ch; c++) begin : g_dma_perf
    assign {dma_perf_rd_bytes_hi[c], dma_perf_rd_bytes_lo[c]} = perf_ch_rd_bytes[c];
    assign {dma_perf_wr_bytes_hi[c], dma_perf_wr_bytes_lo[c]} = perf_ch_wr_bytes[c];
    assign {dma_perf_busy_hi[c], dma_perf_busy_lo[c]}         = perf_ch_busy[c];
    assign {dma_perf_stall_hi[c], dma_perf_stall_lo[c]}       = perf_ch_stall[c];
  end

  logic [31:0] dma_dram_addr_lo [Ch], dma_dram_addr_hi [Ch], dma_spad_addr [Ch];
  logic [31:0] dma_row_bytes [Ch], dma_rows [Ch], dma_dram_stride [Ch], dma_spad_stride [Ch];
  logic [31:0] dma_ctrl [Ch], dma_start_wdata [Ch], dma_status [Ch], dma_err_addr [Ch];
  logic        dma_start_we [Ch];

  logic [31:0] tc_op [1], tc_a_addr [1], tc_a_stride [1], tc_b_addr [1], tc_b_stride [1];
  logic [31:0] tc_acc_addr [1], tc_m [1], tc_n [1], tc_k [1], tc_out_addr [1], tc_out_stride [1];
  logic [31:0] tc_start_wdata [1], tc_status [1];
  logic        tc_start_we [1];

  logic [31:0] vu_op [1], vu_flags [1], vu_rows [1], vu_cols [1];
  logic [31:0] vu_src0_addr [1], vu_src0_stride [1], vu_src1_addr [1], vu_src1_stride [1];
  logic [31:0] vu_src2_addr [1], vu_dst_addr [1], vu_dst_stride [1], vu_imm [1], vu_aux [1];
  logic [31:0] vu_start_wdata [1], vu_status [1];
  logic        vu_start_we [1];

  kiln_csr_regs u_csr (
    .clk_i, .rst_ni,
    .s_axil_awaddr, .s_axil_awvalid, .s_axil_awready,
    .s_axil_wdata, .s_axil_wstrb, .s_axil_wvalid, .s_axil_wready,
    .s_axil_bresp, .s_axil_bvalid, .s_axil_bready,
    .s_axil_araddr, .s_axil_arvalid, .s_axil_arready,
    .s_axil_rdata, .s_axil_rresp, .s_axil_rvalid, .s_axil_rready,
    .hwcfg_d_i               (hwcfg),
    .ctrl_we_o               (ctrl_we),
    .ctrl_wdata_o            (ctrl_wdata),
    .status_d_i              (status),
    .queue_base_lo_q_o       (queue_base_lo),
    .queue_base_hi_q_o       (queue_base_hi),
    .queue_size_q_o          (queue_size),
    .queue_head_q_o          (queue_head),
    .queue_tail_q_o          (queue_tail),
    .doorbell_we_o           (doorbell_we),
    .doorbell_wdata_o        (doorbell_wdata),
    .irq_status_set_i        (irq_status_set),
    .irq_status_q_o          (irq_status),
    .irq_enable_q_o          (irq_enable),
    .irq_set_we_o            (irq_set_we),
    .irq_set_wdata_o         (irq_set_wdata),
    .err_code_q_o            (err_code),
    .err_addr_lo_q_o         (err_addr_lo),
    .err_addr_hi_q_o         (err_addr_hi),
    .err_cmd_offset_q_o      (err_cmd_offset),
    .fence_value_q_o         (fence_value),
    .fw_status_q_o           (fw_status),
    .fw_event_set_i          (fw_event_set),
    .fw_event_q_o            (fw_event),
    .perf_cycles_lo_d_i      (perf_cycles[31:0]),
    .perf_cycles_hi_d_i      (perf_cycles[63:32]),
    .perf_tc_busy_lo_d_i     (perf_tc_busy[31:0]),
    .perf_tc_busy_hi_d_i     (perf_tc_busy[63:32]),
    .perf_tc_stall_lo_d_i    (perf_tc_stall[31:0]),
    .perf_tc_stall_hi_d_i    (perf_tc_stall[63:32]),
    .perf_macs_lo_d_i        (perf_macs[31:0]),
    .perf_macs_hi_d_i        (perf_macs[63:32]),
    .perf_dma_rd_bytes_lo_d_i(perf_dma_rd_bytes[31:0]),
    .perf_dma_rd_bytes_hi_d_i(perf_dma_rd_bytes[63:32]),
    .perf_dma_wr_bytes_lo_d_i(perf_dma_wr_bytes[31:0]),
    .perf_dma_wr_bytes_hi_d_i(perf_dma_wr_bytes[63:32]),
    .perf_dma_busy_lo_d_i    (perf_dma_busy[31:0]),
    .perf_dma_busy_hi_d_i    (perf_dma_busy[63:32]),
    .perf_vu_busy_lo_d_i     (perf_vu_busy[31:0]),
    .perf_vu_busy_hi_d_i     (perf_vu_busy[63:32]),
    .perf_vu_stall_lo_d_i    (perf_vu_stall[31:0]),
    .perf_vu_stall_hi_d_i    (perf_vu_stall[63:32]),
    .dma_dram_addr_lo_q_o    (dma_dram_addr_lo),
    .dma_dram_addr_hi_q_o    (dma_dram_addr_hi),
    .dma_spad_addr_q_o       (dma_spad_addr),
    .dma_row_bytes_q_o       (dma_row_bytes),
    .dma_rows_q_o            (dma_rows),
    .dma_dram_stride_q_o     (dma_dram_stride),
    .dma_spad_stride_q_o     (dma_spad_stride),
    .dma_ctrl_q_o            (dma_ctrl),
    .dma_start_we_o          (dma_start_we),
    .dma_start_wdata_o       (dma_start_wdata),
    .dma_status_d_i          (dma_status),
    .dma_err_addr_d_i        (dma_err_addr),
    .tc_op_q_o               (tc_op),
    .tc_a_addr_q_o           (tc_a_addr),
    .tc_a_stride_q_o         (tc_a_stride),
    .tc_b_addr_q_o           (tc_b_addr),
    .tc_b_stride_q_o         (tc_b_stride),
    .tc_acc_addr_q_o         (tc_acc_addr),
    .tc_m_q_o                (tc_m),
    .tc_n_q_o                (tc_n),
    .tc_k_q_o                (tc_k),
    .tc_out_addr_q_o         (tc_out_addr),
    .tc_out_stride_q_o       (tc_out_stride),
    .tc_start_we_o           (tc_start_we),
    .tc_start_wdata_o        (tc_start_wdata),
    .tc_status_d_i           (tc_status),
    .vu_op_q_o               (vu_op),
    .vu_flags_q_o            (vu_flags),
    .vu_rows_q_o             (vu_rows),
    .vu_cols_q_o             (vu_cols),
    .vu_src0_addr_q_o        (vu_src0_addr),
    .vu_src0_stride_q_o      (vu_src0_stride),
    .vu_src1_addr_q_o        (vu_src1_addr),
    .vu_src1_stride_q_o      (vu_src1_stride),
    .vu_src2_addr_q_o        (vu_src2_addr),
    .vu_dst_addr_q_o         (vu_dst_addr),
    .vu_dst_stride_q_o       (vu_dst_stride),
    .vu_imm_q_o              (vu_imm),
    .vu_aux_q_o              (vu_aux),
    .vu_start_we_o           (vu_start_we),
    .vu_start_wdata_o        (vu_start_wdata),
    .vu_status_d_i           (vu_status),
    .dma_perf_rd_bytes_lo_d_i(dma_perf_rd_bytes_lo),
    .dma_perf_rd_bytes_hi_d_i(dma_perf_rd_bytes_hi),
    .dma_perf_wr_bytes_lo_d_i(dma_perf_wr_bytes_lo),
    .dma_perf_wr_bytes_hi_d_i(dma_perf_wr_bytes_hi),
    .dma_perf_busy_lo_d_i    (dma_perf_busy_lo),
    .dma_perf_busy_hi_d_i    (dma_perf_busy_hi),
    .dma_perf_stall_lo_d_i   (dma_perf_stall_lo),
    .dma_perf_stall_hi_d_i   (dma_perf_stall_hi)
  );

  // ------------------------------------------------------ soft reset ----
  logic abort, resetting, reset_done;
  logic [Ch-1:0] dma_busy, dma_error, dma_done;
  logic tc_busy, tc_done;
  logic vu_busy, vu_done;

  kiln_reset_seq u_reset_seq (
    .clk_i, .rst_ni,
    .start_i     (ctrl_we & ctrl_wdata[0]),
    .units_busy_i(|dma_busy | tc_busy | vu_busy),
    .abort_o     (abort),
    .resetting_o (resetting),
    .done_o      (reset_done)
  );

  // ----------------------------------------------------- status, irqs ----
  assign hwcfg = {8'(SpadKib4), 4'(ScratchpadBanks), 4'(DmaChannels),
                  8'(TensorCoreCols), 8'(TensorCoreRows)};
  assign status = {25'd0, vu_busy, resetting, tc_busy, 4'(dma_busy)};
  assign status_o = status;
  assign irq_status_set = irq_set_we ? irq_set_wdata : 32'd0;
  assign fw_event_set = {27'd0, vu_done, tc_done, |dma_done, reset_done, doorbell_we};
  assign irq_host_o = |(irq_status & irq_enable);
  assign irq_fw_o   = |fw_event;

  // -------------------------------------------------------- scratchpad ----
  logic [P-1:0]  spad_req, spad_we, spad_rvalid;
  // No real loop: the tensor core computes its request outputs and consumes
  // its grants in one always_comb, so Verilator sees grant -> request ->
  // arbiter -> grant although no request depends on its own port's grant
  // through the arbiter. Verilator settles it by iterating eval.
  /* verilator lint_off UNOPTFLAT */
  logic [P-1:0]  spad_gnt;
  /* verilator lint_on UNOPTFLAT */
  logic [AW-1:0] spad_addr [P];
  logic [255:0]  spad_wdata [P], spad_rdata [P];
  logic [31:0]   spad_wstrb [P];

  kiln_spad #(
    .Words(ScratchpadWords),
    .Banks(ScratchpadBanks),
    .P    (P),
    .AW   (AW)
  ) u_spad (
    .clk_i, .rst_ni,
    .req_i   (spad_req),
    .we_i    (spad_we),
    .addr_i  (spad_addr),
    .wdata_i (spad_wdata),
    .wstrb_i (spad_wstrb),
    .gnt_o   (spad_gnt),
    .rvalid_o(spad_rvalid),
    .rdata_o (spad_rdata)
  );

  // --------------------------------------------------------------- DMA ----
  logic [Ch-1:0]  dma_dir, dma_start;
  logic [1:0]     dma_resp [Ch];
  logic [Ch-1:0]  dma_spad_req, dma_spad_we, dma_spad_gnt, dma_spad_rvalid;
  logic [AW-1:0]  dma_spad_addr_w [Ch];
  logic [255:0]   dma_spad_wdata [Ch], dma_spad_rdata [Ch];
  logic [31:0]    dma_spad_wstrb [Ch];
  logic           dma_rd_beat, dma_wr_beat;
  logic [Ch-1:0]  dma_ch_rd_beat, dma_ch_wr_beat;
  logic [Ch-1:0]  unused_dma_csr;

  for (genvar c = 0; c < Ch; c++) begin : g_dma_ch
    assign dma_dir[c]   = dma_ctrl[c][0];
    // Starts are dropped while a soft reset runs.
    assign dma_start[c] = dma_start_we[c] & dma_start_wdata[c][0] & ~resetting;
    assign dma_status[c]   = {28'd0, dma_resp[c], dma_error[c], dma_busy[c]};
    // DRAM_ADDR_HI must be 0 with a 32-bit AXI bus; firmware checks it.
    assign unused_dma_csr[c] = ^{dma_dram_addr_hi[c], dma_ctrl[c][31:1], dma_start_wdata[c][31:1]};

    assign spad_req[3+c]   = dma_spad_req[c];
    assign spad_we[3+c]    = dma_spad_we[c];
    assign spad_addr[3+c]  = dma_spad_addr_w[c];
    assign spad_wdata[3+c] = dma_spad_wdata[c];
    assign spad_wstrb[3+c] = dma_spad_wstrb[c];
    assign dma_spad_gnt[c]    = spad_gnt[3+c];
    assign dma_spad_rvalid[c] = spad_rvalid[3+c];
    assign dma_spad_rdata[c]  = spad_rdata[3+c];
  end

  kiln_dma u_dma (
    .clk_i, .rst_ni,
    .abort_i          (abort),
    .cfg_dram_addr_i  (dma_dram_addr_lo),
    .cfg_spad_addr_i  (dma_spad_addr),
    .cfg_row_bytes_i  (dma_row_bytes),
    .cfg_rows_i       (dma_rows),
    .cfg_dram_stride_i(dma_dram_stride),
    .cfg_spad_stride_i(dma_spad_stride),
    .cfg_dir_i        (dma_dir),
    .start_i          (dma_start),
    .busy_o           (dma_busy),
    .error_o          (dma_error),
    .done_o           (dma_done),
    .resp_o           (dma_resp),
    .err_addr_o       (dma_err_addr),
    .spad_req_o       (dma_spad_req),
    .spad_we_o        (dma_spad_we),
    .spad_addr_o      (dma_spad_addr_w),
    .spad_wdata_o     (dma_spad_wdata),
    .spad_wstrb_o     (dma_spad_wstrb),
    .spad_gnt_i       (dma_spad_gnt),
    .spad_rvalid_i    (dma_spad_rvalid),
    .spad_rdata_i     (dma_spad_rdata),
    .m_axi_awid, .m_axi_awaddr, .m_axi_awlen, .m_axi_awsize, .m_axi_awburst,
    .m_axi_awvalid, .m_axi_awready,
    .m_axi_wdata, .m_axi_wstrb, .m_axi_wlast, .m_axi_wvalid, .m_axi_wready,
    .m_axi_bid, .m_axi_bresp, .m_axi_bvalid, .m_axi_bready,
    .m_axi_arid, .m_axi_araddr, .m_axi_arlen, .m_axi_arsize, .m_axi_arburst,
    .m_axi_arvalid, .m_axi_arready,
    .m_axi_rid, .m_axi_rdata, .m_axi_rresp, .m_axi_rlast, .m_axi_rvalid, .m_axi_rready,
    .perf_rd_beat_o   (dma_rd_beat),
    .perf_wr_beat_o   (dma_wr_beat),
    .perf_ch_rd_beat_o(dma_ch_rd_beat),
    .perf_ch_wr_beat_o(dma_ch_wr_beat)
  );

  // ------------------------------------------------------- tensor core ----
  logic          tc_a_req, tc_b_req, tc_o_req, tc_stall, tc_row;
  logic [AW-1:0] tc_a_addr_w, tc_b_addr_w, tc_o_addr_w;
  logic [255:0]  tc_o_wdata;
  logic [31:0]   tc_o_wstrb;

  kiln_tensor_core u_tc (
    .clk_i, .rst_ni,
    .abort_i         (abort),
    .start_i         (tc_start_we[0] & tc_start_wdata[0][0] & ~resetting),
    .cfg_opcode_i    (tc_op[0][1:0]),
    .cfg_dtype_i     (tc_op[0][5:4]),
    .cfg_accumulate_i(tc_op[0][8]),
    .cfg_out_fp32_i  (tc_op[0][9]),
    .cfg_b_transposed_i(tc_op[0][10]),
    .cfg_a_addr_i    (tc_a_addr[0]),
    .cfg_a_stride_i  (tc_a_stride[0]),
    .cfg_b_addr_i    (tc_b_addr[0]),
    .cfg_b_stride_i  (tc_b_stride[0]),
    .cfg_acc_addr_i  (tc_acc_addr[0]),
    .cfg_m_i         (tc_m[0]),
    .cfg_n_i         (tc_n[0]),
    .cfg_k_i         (tc_k[0]),
    .cfg_out_addr_i  (tc_out_addr[0]),
    .cfg_out_stride_i(tc_out_stride[0]),
    .busy_o          (tc_busy),
    .done_o          (tc_done),
    .a_req_o         (tc_a_req),
    .a_addr_o        (tc_a_addr_w),
    .a_gnt_i         (spad_gnt[0]),
    .a_rvalid_i      (spad_rvalid[0]),
    .a_rdata_i       (spad_rdata[0]),
    .b_req_o         (tc_b_req),
    .b_addr_o        (tc_b_addr_w),
    .b_gnt_i         (spad_gnt[1]),
    .b_rvalid_i      (spad_rvalid[1]),
    .b_rdata_i       (spad_rdata[1]),
    .o_req_o         (tc_o_req),
    .o_addr_o        (tc_o_addr_w),
    .o_wdata_o       (tc_o_wdata),
    .o_wstrb_o       (tc_o_wstrb),
    .o_gnt_i         (spad_gnt[2]),
    .perf_stall_o    (tc_stall),
    .perf_row_o      (tc_row)
  );
  assign tc_status[0] = {31'd0, tc_busy};

  assign spad_req[0] = tc_a_req;
  assign spad_we[0]  = 1'b0;
  assign spad_addr[0] = tc_a_addr_w;
  assign spad_wdata[0] = '0;
  assign spad_wstrb[0] = '0;
  assign spad_req[1] = tc_b_req;
  assign spad_we[1]  = 1'b0;
  assign spad_addr[1] = tc_b_addr_w;
  assign spad_wdata[1] = '0;
  assign spad_wstrb[1] = '0;
  assign spad_req[2] = tc_o_req;
  assign spad_we[2]  = 1'b1;
  assign spad_addr[2] = tc_o_addr_w;
  assign spad_wdata[2] = tc_o_wdata;
  assign spad_wstrb[2] = tc_o_wstrb;

  // ------------------------------------------------------- vector unit ----
  logic [2:0]    vu_rd_req, vu_rd_gnt, vu_rd_rvalid;
  logic [AW-1:0] vu_rd_addr [3];
  logic [255:0]  vu_rd_rdata [3];
  logic          vu_wr_req;
  logic [AW-1:0] vu_wr_addr;
  logic [255:0]  vu_wr_wdata;
  logic [31:0]   vu_wr_wstrb;
  logic          vu_stall;
  logic [4:0]    vu_elems;

  kiln_vector_unit u_vu (
    .clk_i, .rst_ni,
    .abort_i          (abort),
    .start_i          (vu_start_we[0] & vu_start_wdata[0][0] & ~resetting),
    .cfg_op_i         (vu_op[0][7:0]),
    .cfg_flags_i      (vu_flags[0]),
    .cfg_rows_i       (vu_rows[0]),
    .cfg_cols_i       (vu_cols[0]),
    .cfg_src0_addr_i  (vu_src0_addr[0]),
    .cfg_src0_stride_i(vu_src0_stride[0]),
    .cfg_src1_addr_i  (vu_src1_addr[0]),
    .cfg_src1_stride_i(vu_src1_stride[0]),
    .cfg_src2_addr_i  (vu_src2_addr[0]),
    .cfg_dst_addr_i   (vu_dst_addr[0]),
    .cfg_dst_stride_i (vu_dst_stride[0]),
    .cfg_imm_i        (vu_imm[0]),
    .cfg_aux_i        (vu_aux[0]),
    .busy_o           (vu_busy),
    .done_o           (vu_done),
    .rd_req_o         (vu_rd_req),
    .rd_addr_o        (vu_rd_addr),
    .rd_gnt_i         (vu_rd_gnt),
    .rd_rvalid_i      (vu_rd_rvalid),
    .rd_rdata_i       (vu_rd_rdata),
    .wr_req_o         (vu_wr_req),
    .wr_addr_o        (vu_wr_addr),
    .wr_wdata_o       (vu_wr_wdata),
    .wr_wstrb_o       (vu_wr_wstrb),
    .wr_gnt_i         (spad_gnt[PortVu]),
    .perf_stall_o     (vu_stall),
    .perf_elems_o     (vu_elems)
  );
  assign vu_status[0] = {31'd0, vu_busy};

  // The write port ranks above the unit's own reads: a result leaving the
  // pipeline frees room for the reads behind it, never the other way round.
  assign spad_req[PortVu]   = vu_wr_req;
  assign spad_we[PortVu]    = 1'b1;
  assign spad_addr[PortVu]  = vu_wr_addr;
  assign spad_wdata[PortVu] = vu_wr_wdata;
  assign spad_wstrb[PortVu] = vu_wr_wstrb;
  for (genvar i = 0; i < 3; i++) begin : g_vu_rd
    assign spad_req[PortVu+1+i]   = vu_rd_req[i];
    assign spad_we[PortVu+1+i]    = 1'b0;
    assign spad_addr[PortVu+1+i]  = vu_rd_addr[i];
    assign spad_wdata[PortVu+1+i] = '0;
    assign spad_wstrb[PortVu+1+i] = '0;
    assign vu_rd_gnt[i]    = spad_gnt[PortVu+1+i];
    assign vu_rd_rvalid[i] = spad_rvalid[PortVu+1+i];
    assign vu_rd_rdata[i]  = spad_rdata[PortVu+1+i];
  end

  // ------------------------------------------------- perf counters ----
  kiln_perf_counters u_perf (
    .clk_i, .rst_ni,
    .tc_busy_i     (tc_busy),
    .tc_stall_i    (tc_stall),
    .tc_row_i      (tc_row),
    .dma_busy_i    (|dma_busy),
    .dma_rd_beat_i (dma_rd_beat),
    .dma_wr_beat_i (dma_wr_beat),
    .vu_busy_i     (vu_busy),
    .vu_stall_i    (vu_stall),
    .dma_ch_busy_i (dma_busy),
    .dma_ch_rd_beat_i(dma_ch_rd_beat),
    .dma_ch_wr_beat_i(dma_ch_wr_beat),
    .cycles_o      (perf_cycles),
    .tc_busy_o     (perf_tc_busy),
    .tc_stall_o    (perf_tc_stall),
    .macs_o        (perf_macs),
    .dma_rd_bytes_o(perf_dma_rd_bytes),
    .dma_wr_bytes_o(perf_dma_wr_bytes),
    .dma_busy_o    (perf_dma_busy),
    .vu_busy_o     (perf_vu_busy),
    .vu_stall_o    (perf_vu_stall),
    .dma_ch_rd_bytes_o(perf_ch_rd_bytes),
    .dma_ch_wr_bytes_o(perf_ch_wr_bytes),
    .dma_ch_busy_o (perf_ch_busy),
    .dma_ch_stall_o(perf_ch_stall)
  );

  // Registers only firmware and the host look at, and signals with no
  // consumer in hardware (the write ports never read; the vector unit's
  // element events have no counter yet).
  logic unused_csr;
  assign unused_csr = ^{queue_base_lo, queue_base_hi, queue_size, queue_head, queue_tail,
                        err_code, err_addr_lo, err_addr_hi, err_cmd_offset, fence_value,
                        fw_status, ctrl_wdata[31:1], doorbell_wdata, tc_op[0][31:10],
                        tc_op[0][7:6], tc_op[0][3:2], tc_start_wdata[0][31:1],
                        spad_rvalid[2], spad_rdata[2], unused_dma_csr,
                        vu_op[0][31:8], vu_start_wdata[0][31:1], spad_rvalid[PortVu],
                        spad_rdata[PortVu], vu_elems};

endmodule : kiln_npu_top
