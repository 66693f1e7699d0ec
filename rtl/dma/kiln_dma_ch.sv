// One DMA channel: descriptor registers, the burst generator (rows split
// into AXI bursts), burst bookkeeping for responses, the R-beat buffer into
// the scratchpad (DIR 0), the scratchpad prefetcher and W data FIFO (DIR 1),
// error capture and completion. The shared AXI master lives in kiln_dma.
module kiln_dma_ch #(
  parameter int unsigned SpadAddrBits   = 14,
  parameter int unsigned MaxBurstBeats  = 256,  // 1..256
  parameter int unsigned MaxOutstanding = 16,   // bursts tracked per channel
  parameter int unsigned WFifoDepth     = 4,
  parameter int unsigned RBufDepth      = 2
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    abort_i,
  input  logic                    start_i,
  input  logic [31:0]             cfg_dram_addr_i,
  input  logic [31:0]             cfg_spad_addr_i,
  input  logic [31:0]             cfg_row_bytes_i,
  input  logic [31:0]             cfg_rows_i,
  input  logic [31:0]             cfg_dram_stride_i,
  input  logic [31:0]             cfg_spad_stride_i,
  input  logic                    cfg_dir_i,
  output logic                    busy_o,
  output logic                    error_o,
  output logic                    done_o,
  output logic                    dir_o,
  output logic [1:0]              resp_o,
  output logic [31:0]             err_addr_o,
  // next burst of this channel, taken by the shared AR/AW issue stage
  output logic                    breq_valid_o,
  output logic [31:0]             breq_addr_o,
  output logic [7:0]              breq_len_o,
  input  logic                    breq_gnt_i,
  // R beats routed here by ID
  input  logic                    r_valid_i,
  input  logic [255:0]            r_data_i,
  input  logic [1:0]              r_resp_i,
  input  logic                    r_last_i,
  output logic                    r_ready_o,
  // W data, popped by the shared W stage in AW order
  output logic                    w_valid_o,
  output logic [255:0]            w_data_o,
  input  logic                    w_pop_i,
  // B responses routed here by ID (always accepted)
  input  logic                    b_valid_i,
  input  logic [1:0]              b_resp_i,
  // scratchpad port
  output logic                    spad_req_o,
  output logic                    spad_we_o,
  output logic [SpadAddrBits-1:0] spad_addr_o,
  output logic [255:0]            spad_wdata_o,
  output logic [31:0]             spad_wstrb_o,
  input  logic                    spad_gnt_i,
  input  logic                    spad_rvalid_i,
  input  logic [255:0]            spad_rdata_i
);
  localparam int unsigned SAW   = SpadAddrBits;
  localparam int unsigned WCntW = $clog2(WFifoDepth + 1);
  localparam logic [8:0]  MaxB  = 9'(MaxBurstBeats);

  // ---------------------------------------------------------------- descriptor
  logic            busy_q, busy_d, dir_q, aborting_q, done_q;
  logic [26:0]     row_beats_q;
  logic [31:0]     dram_stride_q;
  logic [SAW-1:0]  spad_stride_q;
  logic            start, finish;
  logic [26:0]     cfg_row_beats;
  logic            cfg_empty;

  assign start         = start_i && !busy_q && !abort_i;
  assign cfg_row_beats = cfg_row_bytes_i[31:5];
  assign cfg_empty     = (cfg_rows_i == '0) || (cfg_row_beats == '0);

  // ----------------------------------------------------------- burst generator
  logic            it_active_q;
  logic [31:0]     it_addr_q, it_row_q, it_rows_q;
  logic [26:0]     it_left_q;
  logic [SAW-1:0]  it_spad_q, it_spad_row_q;
  logic [8:0]      to4k, blen;
  logic            bf_full, bf_empty, bf_pop;
  logic [31:0]     bf_addr;
  logic [SAW-1:0]  bf_spad;
  logic [31:0]     aw_beats_q;  // beats of every burst handed to AXI so far
  logic [$clog2(MaxOutstanding + 1)-1:0] unused_bf_count;

  // A burst ends at the row end, the 4 KiB boundary or the burst limit,
  // whichever comes first.
  assign to4k = 9'd128 - {2'b00, it_addr_q[11:5]};
  always_comb begin
    blen = MaxB;
    if (to4k < blen) blen = to4k;
    if (it_left_q < 27'(blen)) blen = it_left_q[8:0];
  end

  assign breq_valid_o = it_active_q && !aborting_q && !abort_i && !bf_full;
  assign breq_addr_o  = it_addr_q;
  assign breq_len_o   = 8'(blen - 9'd1);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      it_active_q <= 1'b0;
      it_addr_q <= '0; it_row_q <= '0; it_rows_q <= '0; it_left_q <= '0;
      it_spad_q <= '0; it_spad_row_q <= '0; aw_beats_q <= '0;
    end else if (start) begin
      it_active_q   <= !cfg_empty;
      it_addr_q     <= {cfg_dram_addr_i[31:5], 5'b0};
      it_row_q      <= {cfg_dram_addr_i[31:5], 5'b0};
      it_rows_q     <= cfg_rows_i;
      it_left_q     <= cfg_row_beats;
      it_spad_q     <= cfg_spad_addr_i[5 +: SAW];
      it_spad_row_q <= cfg_spad_addr_i[5 +: SAW];
      aw_beats_q    <= '0;
    end else if (abort_i && busy_q) begin
      it_active_q <= 1'b0;
    end else if (breq_gnt_i && breq_valid_o) begin
      aw_beats_q <= aw_beats_q + 32'(blen);
      if (it_left_q == 27'(blen)) begin
        if (it_rows_q == 32'd1) it_active_q <= 1'b0;
        it_rows_q     <= it_rows_q - 32'd1;
        it_row_q      <= it_row_q + dram_stride_q;
        it_addr_q     <= it_row_q + dram_stride_q;
        it_left_q     <= row_beats_q;
        it_spad_row_q <= it_spad_row_q + spad_stride_q;
        it_spad_q     <= it_spad_row_q + spad_stride_q;
      end else begin
        it_addr_q <= it_addr_q + {18'b0, blen, 5'b0};
        it_left_q <= it_left_q - 27'(blen);
        it_spad_q <= it_spad_q + SAW'(blen);
      end
    end
  end

  // Bursts in flight, oldest first: responses of one ID arrive in issue
  // order, so the head is always the burst a response belongs to.
  kiln_dma_fifo #(.Width(32 + SAW), .Depth(MaxOutstanding)) u_bursts (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .push_i (breq_gnt_i && breq_valid_o),
    .wdata_i({it_addr_q, it_spad_q}),
    .pop_i  (bf_pop),
    .rdata_o({bf_addr, bf_spad}),
    .empty_o(bf_empty), .full_o(bf_full), .count_o(unused_bf_count)
  );

  // ------------------------------------------------- DIR 0: R beats -> spad
  logic [8:0]           r_beat_q;
  logic                 r_acc, r_bad;
  logic                 rb_full, rb_empty;
  logic [SAW-1:0]       rb_addr;
  logic [255:0]         rb_data;
  logic [$clog2(RBufDepth + 1)-1:0] unused_rb_count;

  assign r_ready_o = !rb_full;
  assign r_acc     = r_valid_i && r_ready_o;
  assign r_bad     = r_resp_i[1];   // SLVERR or DECERR: drop the data

  always_ff @(posedge clk_i) begin
    if (!rst_ni || start) r_beat_q <= '0;
    else if (r_acc)       r_beat_q <= r_last_i ? 9'd0 : r_beat_q + 9'd1;
  end

  kiln_dma_fifo #(.Width(SAW + 256), .Depth(RBufDepth)) u_rbuf (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .push_i (r_acc && !r_bad),
    .wdata_i({bf_spad + SAW'(r_beat_q), r_data_i}),
    .pop_i  (!dir_q && spad_gnt_i),
    .rdata_o({rb_addr, rb_data}),
    .empty_o(rb_empty), .full_o(rb_full), .count_o(unused_rb_count)
  );

  // ------------------------------------ DIR 1: spad prefetch -> W data FIFO
  logic            pf_active_q;
  logic [SAW-1:0]  pf_spad_q, pf_spad_row_q;
  logic [26:0]     pf_left_q;
  logic [31:0]     pf_rows_q, pf_fetched_q;
  logic [WCntW-1:0] pf_inflight_q, wf_count;
  logic            pf_req, pf_fire, pf_allowed, wf_empty;
  logic            unused_wf_full;  // the prefetch credit keeps the FIFO from overflowing

  // While aborting, fetch only what the already-issued AWs still need.
  assign pf_allowed = !aborting_q || (pf_fetched_q < aw_beats_q);
  assign pf_req  = busy_q && dir_q && pf_active_q && pf_allowed &&
                   ({1'b0, wf_count} + {1'b0, pf_inflight_q} < (WCntW + 1)'(WFifoDepth));
  assign pf_fire = pf_req && spad_gnt_i;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      pf_active_q <= 1'b0; pf_spad_q <= '0; pf_spad_row_q <= '0;
      pf_left_q <= '0; pf_rows_q <= '0; pf_fetched_q <= '0;
    end else if (start) begin
      pf_active_q   <= !cfg_empty;
      pf_spad_q     <= cfg_spad_addr_i[5 +: SAW];
      pf_spad_row_q <= cfg_spad_addr_i[5 +: SAW];
      pf_left_q     <= cfg_row_beats;
      pf_rows_q     <= cfg_rows_i;
      pf_fetched_q  <= '0;
    end else if (pf_fire) begin
      pf_fetched_q <= pf_fetched_q + 32'd1;
      if (pf_left_q == 27'd1) begin
        if (pf_rows_q == 32'd1) pf_active_q <= 1'b0;
        pf_rows_q     <= pf_rows_q - 32'd1;
        pf_left_q     <= row_beats_q;
        pf_spad_row_q <= pf_spad_row_q + spad_stride_q;
        pf_spad_q     <= pf_spad_row_q + spad_stride_q;
      end else begin
        pf_left_q <= pf_left_q - 27'd1;
        pf_spad_q <= pf_spad_q + 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      pf_inflight_q <= '0;
    end else begin
      unique case ({pf_fire, spad_rvalid_i && (pf_inflight_q != '0)})
        2'b10:   pf_inflight_q <= pf_inflight_q + 1'b1;
        2'b01:   pf_inflight_q <= pf_inflight_q - 1'b1;
        default: pf_inflight_q <= pf_inflight_q;
      endcase
    end
  end

  // Flushed when the descriptor finishes: after an abort it may hold words
  // fetched for bursts that were never issued.
  kiln_dma_fifo #(.Width(256), .Depth(WFifoDepth)) u_wfifo (
    .clk_i, .rst_ni, .flush_i(finish),
    .push_i (spad_rvalid_i && (pf_inflight_q != '0)),
    .wdata_i(spad_rdata_i),
    .pop_i  (w_pop_i),
    .rdata_o(w_data_o),
    .empty_o(wf_empty), .full_o(unused_wf_full), .count_o(wf_count)
  );
  assign w_valid_o = !wf_empty;

  // The port serves one direction per descriptor.
  always_comb begin
    if (dir_q) begin
      spad_req_o   = pf_req;
      spad_we_o    = 1'b0;
      spad_addr_o  = pf_spad_q;
      spad_wdata_o = '0;
      spad_wstrb_o = '0;
    end else begin
      spad_req_o   = !rb_empty;
      spad_we_o    = 1'b1;
      spad_addr_o  = rb_addr;
      spad_wdata_o = rb_data;
      spad_wstrb_o = '1;
    end
  end

  // ------------------------------------------------ responses and completion
  assign bf_pop = dir_q ? b_valid_i : (r_acc && r_last_i);

  logic        err_q;
  logic [1:0]  resp_q;
  logic [31:0] err_addr_q;
  logic        err_hit;
  logic [1:0]  err_resp;

  assign err_hit  = dir_q ? (b_valid_i && b_resp_i[1]) : (r_acc && r_bad);
  assign err_resp = dir_q ? b_resp_i : r_resp_i;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || start) begin
      err_q <= 1'b0; resp_q <= 2'b00; err_addr_q <= '0;
    end else if (err_hit && !err_q) begin
      err_q <= 1'b1; resp_q <= err_resp; err_addr_q <= bf_addr;
    end
  end

  // Done once every issued burst has completed and its data has left the
  // channel; during an abort "every issued burst" is what was on the bus.
  assign finish = busy_q && !it_active_q && bf_empty && rb_empty && (pf_inflight_q == '0);

  always_comb begin
    busy_d = busy_q;
    if (start)       busy_d = 1'b1;
    else if (finish) busy_d = 1'b0;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0; dir_q <= 1'b0; aborting_q <= 1'b0; done_q <= 1'b0;
      row_beats_q <= '0; dram_stride_q <= '0; spad_stride_q <= '0;
    end else begin
      busy_q <= busy_d;
      done_q <= finish && !aborting_q;
      if (start) begin
        dir_q         <= cfg_dir_i;
        aborting_q    <= 1'b0;
        row_beats_q   <= cfg_row_beats;
        dram_stride_q <= {cfg_dram_stride_i[31:5], 5'b0};
        spad_stride_q <= cfg_spad_stride_i[5 +: SAW];
      end else if (finish) begin
        aborting_q <= 1'b0;
      end else if (abort_i && busy_q) begin
        aborting_q <= 1'b1;
      end
    end
  end

  assign busy_o     = busy_q;
  assign done_o     = done_q;
  assign dir_o      = dir_q;
  assign error_o    = err_q;
  assign resp_o     = resp_q;
  assign err_addr_o = err_addr_q;

  // Beat-aligned addresses: the low five bits are defined to be zero, and
  // scratchpad bits above the word address wrap around.
  logic unused_cfg;
  assign unused_cfg = ^{cfg_dram_addr_i[4:0], cfg_spad_addr_i[4:0], cfg_row_bytes_i[4:0],
                        cfg_dram_stride_i[4:0], cfg_spad_stride_i[4:0],
                        cfg_spad_addr_i[31:5+SAW], cfg_spad_stride_i[31:5+SAW]};
endmodule
