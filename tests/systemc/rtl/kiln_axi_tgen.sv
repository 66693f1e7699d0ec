// AXI4 traffic generator with kiln_npu_top's ports, used to test the SystemC
// island and its AXI4 slave adapter without the NPU. Programmed through the
// AXI4-Lite slave; issues `BURSTS` INCR bursts of `LEN`+1 full-width beats
// from `ADDR`, up to 4 outstanding, with rotating IDs.
//   0x000 ID       const 'TGEN'
//   0x010 STATUS   [0] busy
//   0x040 IRQ_STATUS w1c [0] done      0x044 IRQ_ENABLE
//   0x068 FW_EVENT   w1c [0] done      (irq_fw_o = |FW_EVENT)
//   0x100 ADDR  0x104 LEN  0x108 BURSTS
//   0x10C CMD   write 1 = write bursts (word k of a beat at A holds A+4k),
//               2 = read bursts (sums all read words into CHECKSUM)
//   0x110 CHECKSUM  0x114 RESP [1:0] first non-OKAY response, [8] seen
//   0x118 BEATS  data beats transferred by the last command
module kiln_axi_tgen (
  input  logic         clk_i,
  input  logic         rst_ni,
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
  output logic         irq_host_o,
  output logic         irq_fw_o
);
  localparam int unsigned MaxOutstanding = 4;

  logic [31:0] addr_q, len_q, bursts_q, checksum_q, beats_q;
  logic [31:0] ar_sent_q, r_done_q, aw_sent_q, w_burst_q, w_beat_q, b_done_q;
  logic [8:0]  resp_q;
  logic        irq_status_q, irq_enable_q, fw_event_q;
  logic        rd_busy_q, wr_busy_q;

  // ---- AXI4-Lite slave: one access at a time ----
  logic wr_fire, rd_fire;
  assign s_axil_awready = s_axil_awvalid && s_axil_wvalid && !s_axil_bvalid;
  assign s_axil_wready  = s_axil_awready;
  assign wr_fire        = s_axil_awready;
  assign s_axil_arready = !s_axil_rvalid;
  assign rd_fire        = s_axil_arvalid && s_axil_arready;

  logic [31:0] rd_value;
  logic        rd_ok;
  always_comb begin
    rd_ok = 1'b1;
    unique case (s_axil_araddr)
      16'h000: rd_value = 32'h5447454E;
      16'h010: rd_value = {31'd0, rd_busy_q | wr_busy_q};
      16'h040: rd_value = {31'd0, irq_status_q};
      16'h044: rd_value = {31'd0, irq_enable_q};
      16'h068: rd_value = {31'd0, fw_event_q};
      16'h100: rd_value = addr_q;
      16'h104: rd_value = len_q;
      16'h108: rd_value = bursts_q;
      16'h110: rd_value = checksum_q;
      16'h114: rd_value = {23'd0, resp_q};
      16'h118: rd_value = beats_q;
      default: begin
        rd_value = 32'd0;
        rd_ok    = 1'b0;
      end
    endcase
  end

  logic wr_ok;
  assign wr_ok = s_axil_awaddr inside {16'h040, 16'h044, 16'h068, 16'h100, 16'h104, 16'h108, 16'h10C};
  logic start_rd, start_wr;
  assign start_rd = wr_fire && s_axil_awaddr == 16'h10C && s_axil_wdata[1];
  assign start_wr = wr_fire && s_axil_awaddr == 16'h10C && s_axil_wdata[0];

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      s_axil_bvalid <= 1'b0;
      s_axil_bresp  <= 2'd0;
      s_axil_rvalid <= 1'b0;
      s_axil_rresp  <= 2'd0;
      s_axil_rdata  <= 32'd0;
    end else begin
      if (wr_fire) begin
        s_axil_bvalid <= 1'b1;
        s_axil_bresp  <= wr_ok ? 2'd0 : 2'd2;
      end else if (s_axil_bready) begin
        s_axil_bvalid <= 1'b0;
      end
      if (rd_fire) begin
        s_axil_rvalid <= 1'b1;
        s_axil_rdata  <= rd_value;
        s_axil_rresp  <= rd_ok ? 2'd0 : 2'd2;
      end else if (s_axil_rready) begin
        s_axil_rvalid <= 1'b0;
      end
    end
  end

  // ---- AXI4 master ----
  function automatic logic [31:0] sum_words(logic [255:0] d);
    logic [31:0] s = 32'd0;
    for (int i = 0; i < 8; i++) s = s + d[32*i +: 32];
    return s;
  endfunction

  logic [31:0] burst_bytes;
  assign burst_bytes = (len_q + 32'd1) << 5;

  assign m_axi_arid    = ar_sent_q[3:0];
  assign m_axi_araddr  = addr_q + ar_sent_q * burst_bytes;
  assign m_axi_arlen   = len_q[7:0];
  assign m_axi_arsize  = 3'd5;
  assign m_axi_arburst = 2'd1;
  assign m_axi_arvalid = rd_busy_q && ar_sent_q < bursts_q && (ar_sent_q - r_done_q) < MaxOutstanding;
  assign m_axi_rready  = 1'b1;

  assign m_axi_awid    = aw_sent_q[3:0];
  assign m_axi_awaddr  = addr_q + aw_sent_q * burst_bytes;
  assign m_axi_awlen   = len_q[7:0];
  assign m_axi_awsize  = 3'd5;
  assign m_axi_awburst = 2'd1;
  assign m_axi_awvalid = wr_busy_q && aw_sent_q < bursts_q && (aw_sent_q - b_done_q) < MaxOutstanding;
  assign m_axi_bready  = 1'b1;

  logic [31:0] w_addr;
  assign w_addr = addr_q + w_burst_q * burst_bytes + (w_beat_q << 5);
  always_comb begin
    for (int i = 0; i < 8; i++) m_axi_wdata[32*i +: 32] = w_addr + 32'(4 * i);
  end
  assign m_axi_wstrb  = 32'hFFFF_FFFF;
  assign m_axi_wlast  = w_beat_q == len_q;
  assign m_axi_wvalid = wr_busy_q && w_burst_q < aw_sent_q;

  logic r_fire, b_fire, w_fire;
  assign r_fire = m_axi_rvalid && m_axi_rready;
  assign b_fire = m_axi_bvalid && m_axi_bready;
  assign w_fire = m_axi_wvalid && m_axi_wready;

  logic rd_finish, wr_finish;
  assign rd_finish = rd_busy_q && r_fire && m_axi_rlast && r_done_q + 32'd1 == bursts_q;
  assign wr_finish = wr_busy_q && b_fire && b_done_q + 32'd1 == bursts_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      addr_q <= 32'd0; len_q <= 32'd0; bursts_q <= 32'd0;
      checksum_q <= 32'd0; beats_q <= 32'd0; resp_q <= 9'd0;
      ar_sent_q <= 32'd0; r_done_q <= 32'd0;
      aw_sent_q <= 32'd0; w_burst_q <= 32'd0; w_beat_q <= 32'd0; b_done_q <= 32'd0;
      irq_status_q <= 1'b0; irq_enable_q <= 1'b0; fw_event_q <= 1'b0;
      rd_busy_q <= 1'b0; wr_busy_q <= 1'b0;
    end else begin
      if (wr_fire) begin
        unique case (s_axil_awaddr)
          16'h040: irq_status_q <= irq_status_q & ~s_axil_wdata[0];
          16'h044: irq_enable_q <= s_axil_wdata[0];
          16'h068: fw_event_q   <= fw_event_q & ~s_axil_wdata[0];
          16'h100: addr_q       <= s_axil_wdata;
          16'h104: len_q        <= s_axil_wdata;
          16'h108: bursts_q     <= s_axil_wdata;
          default: ;
        endcase
      end
      if ((start_rd || start_wr) && !rd_busy_q && !wr_busy_q) begin
        rd_busy_q <= start_rd && !start_wr;
        wr_busy_q <= start_wr;
        ar_sent_q <= 32'd0; r_done_q <= 32'd0;
        aw_sent_q <= 32'd0; w_burst_q <= 32'd0; w_beat_q <= 32'd0; b_done_q <= 32'd0;
        checksum_q <= 32'd0; beats_q <= 32'd0; resp_q <= 9'd0;
      end
      if (m_axi_arvalid && m_axi_arready) ar_sent_q <= ar_sent_q + 32'd1;
      if (m_axi_awvalid && m_axi_awready) aw_sent_q <= aw_sent_q + 32'd1;
      if (r_fire && rd_busy_q) begin
        checksum_q <= checksum_q + sum_words(m_axi_rdata);
        beats_q    <= beats_q + 32'd1;
        if (m_axi_rlast) r_done_q <= r_done_q + 32'd1;
        if (m_axi_rresp != 2'd0 && !resp_q[8]) resp_q <= {1'b1, 6'd0, m_axi_rresp};
      end
      if (w_fire) begin
        beats_q <= beats_q + 32'd1;
        if (m_axi_wlast) begin
          w_beat_q  <= 32'd0;
          w_burst_q <= w_burst_q + 32'd1;
        end else begin
          w_beat_q <= w_beat_q + 32'd1;
        end
      end
      if (b_fire && wr_busy_q) begin
        b_done_q <= b_done_q + 32'd1;
        if (m_axi_bresp != 2'd0 && !resp_q[8]) resp_q <= {1'b1, 6'd0, m_axi_bresp};
      end
      if (rd_finish) rd_busy_q <= 1'b0;
      if (wr_finish) wr_busy_q <= 1'b0;
      if (rd_finish || wr_finish) begin
        irq_status_q <= 1'b1;
        fw_event_q   <= 1'b1;
      end
    end
  end

  assign irq_host_o = irq_status_q & irq_enable_q;
  assign irq_fw_o   = fw_event_q;

  logic unused;
  assign unused = ^{s_axil_wstrb, m_axi_bid, m_axi_rid};
endmodule
