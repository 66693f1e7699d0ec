// Kiln DMA engine: Channels descriptor channels sharing one AXI4 master.
// Channel c uses AXI ID c. See rtl/dma/README.md for the full spec.
module kiln_dma
  import kiln_hw_pkg::*;
#(
  parameter int unsigned Channels             = DmaChannels,           // 1..16
  parameter int unsigned SpadAddrBits         = ScratchpadAddrBits,    // AW
  parameter int unsigned MaxBurstBeats        = AxiMaxBurstBeats,      // 1..256
  parameter int unsigned MaxOutstandingReads  = AxiMaxOutstandingReads,
  parameter int unsigned MaxOutstandingWrites = AxiMaxOutstandingWrites,
  parameter int unsigned WFifoDepth           = 4
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    abort_i,
  input  logic [31:0]             cfg_dram_addr_i   [Channels],
  input  logic [31:0]             cfg_spad_addr_i   [Channels],
  input  logic [31:0]             cfg_row_bytes_i   [Channels],
  input  logic [31:0]             cfg_rows_i        [Channels],
  input  logic [31:0]             cfg_dram_stride_i [Channels],
  input  logic [31:0]             cfg_spad_stride_i [Channels],
  input  logic [Channels-1:0]     cfg_dir_i,
  input  logic [Channels-1:0]     start_i,
  output logic [Channels-1:0]     busy_o,
  output logic [Channels-1:0]     error_o,
  output logic [Channels-1:0]     done_o,
  output logic [1:0]              resp_o     [Channels],
  output logic [31:0]             err_addr_o [Channels],
  // scratchpad ports, one per channel
  output logic [Channels-1:0]     spad_req_o,
  output logic [Channels-1:0]     spad_we_o,
  output logic [SpadAddrBits-1:0] spad_addr_o  [Channels],
  output logic [255:0]            spad_wdata_o [Channels],
  output logic [31:0]             spad_wstrb_o [Channels],
  input  logic [Channels-1:0]     spad_gnt_i,
  input  logic [Channels-1:0]     spad_rvalid_i,
  input  logic [255:0]            spad_rdata_i [Channels],
  // AXI4 master
  output logic [3:0]              m_axi_awid,
  output logic [31:0]             m_axi_awaddr,
  output logic [7:0]              m_axi_awlen,
  output logic [2:0]              m_axi_awsize,
  output logic [1:0]              m_axi_awburst,
  output logic                    m_axi_awvalid,
  input  logic                    m_axi_awready,
  output logic [255:0]            m_axi_wdata,
  output logic [31:0]             m_axi_wstrb,
  output logic                    m_axi_wlast,
  output logic                    m_axi_wvalid,
  input  logic                    m_axi_wready,
  input  logic [3:0]              m_axi_bid,
  input  logic [1:0]              m_axi_bresp,
  input  logic                    m_axi_bvalid,
  output logic                    m_axi_bready,
  output logic [3:0]              m_axi_arid,
  output logic [31:0]             m_axi_araddr,
  output logic [7:0]              m_axi_arlen,
  output logic [2:0]              m_axi_arsize,
  output logic [1:0]              m_axi_arburst,
  output logic                    m_axi_arvalid,
  input  logic                    m_axi_arready,
  input  logic [3:0]              m_axi_rid,
  input  logic [255:0]            m_axi_rdata,
  input  logic [1:0]              m_axi_rresp,
  input  logic                    m_axi_rlast,
  input  logic                    m_axi_rvalid,
  output logic                    m_axi_rready,
  // performance events
  output logic                    perf_rd_beat_o,
  output logic                    perf_wr_beat_o,
  output logic [Channels-1:0]     perf_ch_rd_beat_o,  // an R beat with ID c accepted
  output logic [Channels-1:0]     perf_ch_wr_beat_o   // a W beat of channel c accepted
);
  localparam int unsigned RdCntW   = $clog2(MaxOutstandingReads + 1);
  localparam int unsigned WrCntW   = $clog2(MaxOutstandingWrites + 1);
  localparam int unsigned ChTrack  = (MaxOutstandingReads > MaxOutstandingWrites) ?
                                     MaxOutstandingReads : MaxOutstandingWrites;
  localparam logic [2:0]  Size32B  = 3'd5;
  localparam logic [1:0]  BurstIncr = 2'b01;

  logic [Channels-1:0] ch_dir, breq_valid, breq_gnt, r_valid, r_ready, w_valid, w_pop, b_valid;
  logic [31:0]         breq_addr [Channels];
  logic [7:0]          breq_len  [Channels];
  logic [255:0]        w_data    [Channels];

  // ------------------------------------------------------------ AR issue
  // Outstanding bursts are counted from the moment a burst is loaded into the
  // AR/AW register: once VALID is up it cannot be withdrawn.
  logic [RdCntW-1:0]   rd_out_q;
  logic [Channels-1:0] ar_req;
  logic                ar_sel_valid, ar_load, ar_valid_q, r_last_hs;
  logic [3:0]          ar_sel, ar_id_q;
  logic [31:0]         ar_addr_q;
  logic [7:0]          ar_len_q, ar_sel_len;
  logic [31:0]         ar_sel_addr;

  assign ar_req  = breq_valid & ~ch_dir & {Channels{rd_out_q < RdCntW'(MaxOutstandingReads)}};
  assign ar_load = ar_sel_valid && (!ar_valid_q || m_axi_arready);

  kiln_dma_rr_arb #(.N(Channels)) u_ar_arb (
    .clk_i, .rst_ni, .req_i(ar_req), .take_i(ar_load), .valid_o(ar_sel_valid), .idx_o(ar_sel)
  );

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      ar_valid_q <= 1'b0; ar_id_q <= '0; ar_addr_q <= '0; ar_len_q <= '0;
    end else if (ar_load) begin
      ar_valid_q <= 1'b1;
      ar_id_q    <= ar_sel;
      ar_addr_q  <= ar_sel_addr;
      ar_len_q   <= ar_sel_len;
    end else if (m_axi_arready) begin
      ar_valid_q <= 1'b0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) rd_out_q <= '0;
    else         rd_out_q <= rd_out_q + RdCntW'(ar_load) - RdCntW'(r_last_hs);
  end

  assign m_axi_arvalid = ar_valid_q;
  assign m_axi_arid    = ar_id_q;
  assign m_axi_araddr  = ar_addr_q;
  assign m_axi_arlen   = ar_len_q;
  assign m_axi_arsize  = Size32B;
  assign m_axi_arburst = BurstIncr;

  // ------------------------------------------------------------ AW issue
  logic [WrCntW-1:0]   wr_out_q;
  logic [Channels-1:0] aw_req;
  logic                aw_sel_valid, aw_load, aw_valid_q, aw_hs, b_hs;
  logic [3:0]          aw_sel, aw_id_q;
  logic [31:0]         aw_addr_q;
  logic [7:0]          aw_len_q, aw_sel_len;
  logic [31:0]         aw_sel_addr;

  assign aw_req  = breq_valid & ch_dir & {Channels{wr_out_q < WrCntW'(MaxOutstandingWrites)}};
  assign aw_load = aw_sel_valid && (!aw_valid_q || m_axi_awready);
  assign aw_hs   = m_axi_awvalid && m_axi_awready;

  kiln_dma_rr_arb #(.N(Channels)) u_aw_arb (
    .clk_i, .rst_ni, .req_i(aw_req), .take_i(aw_load), .valid_o(aw_sel_valid), .idx_o(aw_sel)
  );

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      aw_valid_q <= 1'b0; aw_id_q <= '0; aw_addr_q <= '0; aw_len_q <= '0;
    end else if (aw_load) begin
      aw_valid_q <= 1'b1;
      aw_id_q    <= aw_sel;
      aw_addr_q  <= aw_sel_addr;
      aw_len_q   <= aw_sel_len;
    end else if (m_axi_awready) begin
      aw_valid_q <= 1'b0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) wr_out_q <= '0;
    else         wr_out_q <= wr_out_q + WrCntW'(aw_load) - WrCntW'(b_hs);
  end

  assign m_axi_awvalid = aw_valid_q;
  assign m_axi_awid    = aw_id_q;
  assign m_axi_awaddr  = aw_addr_q;
  assign m_axi_awlen   = aw_len_q;
  assign m_axi_awsize  = Size32B;
  assign m_axi_awburst = BurstIncr;

  always_comb begin
    ar_sel_addr = '0; ar_sel_len = '0; aw_sel_addr = '0; aw_sel_len = '0;
    for (int unsigned c = 0; c < Channels; c++) begin
      if (ar_sel == 4'(c)) begin
        ar_sel_addr = breq_addr[c];
        ar_sel_len  = breq_len[c];
      end
      if (aw_sel == 4'(c)) begin
        aw_sel_addr = breq_addr[c];
        aw_sel_len  = breq_len[c];
      end
    end
  end

  for (genvar c = 0; c < Channels; c++) begin : g_gnt
    assign breq_gnt[c] = (ar_load && ar_sel == 4'(c)) || (aw_load && aw_sel == 4'(c));
  end

  // ------------------------------------------------------------ W stream
  // AXI4 has no WID: W beats follow the AW handshake order, one burst at a
  // time, taken from the owning channel's W FIFO.
  logic       wo_empty, w_hs, w_ch_valid;
  logic [3:0] wo_ch;
  logic [7:0] wo_len, w_cnt_q;
  // Cannot overflow: at most MaxOutstandingWrites AWs are ever loaded.
  logic       unused_wo_full;
  logic [$clog2(MaxOutstandingWrites + 1)-1:0] unused_wo_count;

  kiln_dma_fifo #(.Width(12), .Depth(MaxOutstandingWrites)) u_worder (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .push_i (aw_hs),
    .wdata_i({aw_id_q, aw_len_q}),
    .pop_i  (w_hs && m_axi_wlast),
    .rdata_o({wo_ch, wo_len}),
    .empty_o(wo_empty), .full_o(unused_wo_full), .count_o(unused_wo_count)
  );

  always_comb begin
    w_ch_valid  = 1'b0;
    m_axi_wdata = '0;
    for (int unsigned c = 0; c < Channels; c++) begin
      if (wo_ch == 4'(c)) begin
        w_ch_valid  = w_valid[c];
        m_axi_wdata = w_data[c];
      end
    end
  end

  assign m_axi_wvalid = !wo_empty && w_ch_valid;
  assign m_axi_wlast  = (w_cnt_q == wo_len);
  assign m_axi_wstrb  = '1;
  assign w_hs         = m_axi_wvalid && m_axi_wready;

  always_ff @(posedge clk_i) begin
    if (!rst_ni)   w_cnt_q <= '0;
    else if (w_hs) w_cnt_q <= m_axi_wlast ? 8'd0 : w_cnt_q + 8'd1;
  end

  for (genvar c = 0; c < Channels; c++) begin : g_wpop
    assign w_pop[c] = w_hs && (wo_ch == 4'(c));
  end

  // ------------------------------------------------------------ R and B routing
  // IDs no channel owns cannot come from a correct slave; they are accepted
  // and dropped so the bus never hangs.
  always_comb begin
    m_axi_rready = 1'b1;
    for (int unsigned c = 0; c < Channels; c++) begin
      if (m_axi_rid == 4'(c)) m_axi_rready = r_ready[c];
    end
  end
  for (genvar c = 0; c < Channels; c++) begin : g_route
    assign r_valid[c] = m_axi_rvalid && (m_axi_rid == 4'(c));
    assign b_valid[c] = m_axi_bvalid && (m_axi_bid == 4'(c));
  end

  logic rid_known, bid_known;
  assign rid_known    = 32'(m_axi_rid) < Channels;
  assign bid_known    = 32'(m_axi_bid) < Channels;
  assign r_last_hs    = m_axi_rvalid && m_axi_rready && m_axi_rlast && rid_known;
  assign m_axi_bready = 1'b1;
  assign b_hs         = m_axi_bvalid && bid_known;

  assign perf_rd_beat_o    = m_axi_rvalid && m_axi_rready;
  assign perf_wr_beat_o    = w_hs;
  assign perf_ch_rd_beat_o = r_valid & r_ready;
  assign perf_ch_wr_beat_o = w_pop;

  // ------------------------------------------------------------ channels
  for (genvar c = 0; c < Channels; c++) begin : g_ch
    kiln_dma_ch #(
      .SpadAddrBits  (SpadAddrBits),
      .MaxBurstBeats (MaxBurstBeats),
      .MaxOutstanding(ChTrack),
      .WFifoDepth    (WFifoDepth)
    ) u_ch (
      .clk_i, .rst_ni, .abort_i,
      .start_i          (start_i[c]),
      .cfg_dram_addr_i  (cfg_dram_addr_i[c]),
      .cfg_spad_addr_i  (cfg_spad_addr_i[c]),
      .cfg_row_bytes_i  (cfg_row_bytes_i[c]),
      .cfg_rows_i       (cfg_rows_i[c]),
      .cfg_dram_stride_i(cfg_dram_stride_i[c]),
      .cfg_spad_stride_i(cfg_spad_stride_i[c]),
      .cfg_dir_i        (cfg_dir_i[c]),
      .busy_o           (busy_o[c]),
      .error_o          (error_o[c]),
      .done_o           (done_o[c]),
      .dir_o            (ch_dir[c]),
      .resp_o           (resp_o[c]),
      .err_addr_o       (err_addr_o[c]),
      .breq_valid_o     (breq_valid[c]),
      .breq_addr_o      (breq_addr[c]),
      .breq_len_o       (breq_len[c]),
      .breq_gnt_i       (breq_gnt[c]),
      .r_valid_i        (r_valid[c]),
      .r_data_i         (m_axi_rdata),
      .r_resp_i         (m_axi_rresp),
      .r_last_i         (m_axi_rlast),
      .r_ready_o        (r_ready[c]),
      .w_valid_o        (w_valid[c]),
      .w_data_o         (w_data[c]),
      .w_pop_i          (w_pop[c]),
      .b_valid_i        (b_valid[c]),
      .b_resp_i         (m_axi_bresp),
      .spad_req_o       (spad_req_o[c]),
      .spad_we_o        (spad_we_o[c]),
      .spad_addr_o      (spad_addr_o[c]),
      .spad_wdata_o     (spad_wdata_o[c]),
      .spad_wstrb_o     (spad_wstrb_o[c]),
      .spad_gnt_i       (spad_gnt_i[c]),
      .spad_rvalid_i    (spad_rvalid_i[c]),
      .spad_rdata_i     (spad_rdata_i[c])
    );
  end
endmodule
