// 64-bit performance counters of the Kiln NPU; spec: rtl/top/README.md.
// Cleared only by the hardware reset so a soft reset does not hide the work
// done before it.
module kiln_perf_counters
  import kiln_hw_pkg::*;
#(
  parameter int unsigned Ch = DmaChannels
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        tc_busy_i,
  input  logic        tc_stall_i,      // busy cycle in which the array did not advance
  input  logic        tc_row_i,        // one A row entered the array
  input  logic        dma_busy_i,      // at least one channel busy
  input  logic        dma_rd_beat_i,   // one AXI read data beat accepted
  input  logic        dma_wr_beat_i,   // one AXI write data beat accepted
  input  logic        vu_busy_i,
  input  logic        vu_stall_i,      // busy cycle the vector unit did not take a beat (see README)
  input  logic [Ch-1:0] dma_ch_busy_i,
  input  logic [Ch-1:0] dma_ch_rd_beat_i,
  input  logic [Ch-1:0] dma_ch_wr_beat_i,
  output logic [63:0] cycles_o,
  output logic [63:0] tc_busy_o,
  output logic [63:0] tc_stall_o,
  output logic [63:0] macs_o,
  output logic [63:0] dma_rd_bytes_o,
  output logic [63:0] dma_wr_bytes_o,
  output logic [63:0] dma_busy_o,
  output logic [63:0] vu_busy_o,
  output logic [63:0] vu_stall_o,
  output logic [63:0] dma_ch_rd_bytes_o [Ch],
  output logic [63:0] dma_ch_wr_bytes_o [Ch],
  output logic [63:0] dma_ch_busy_o     [Ch],
  output logic [63:0] dma_ch_stall_o    [Ch]
);

  localparam int unsigned MacsPerRowInt   = TensorCoreRows * TensorCoreCols;
  localparam int unsigned BytesPerBeatInt = AxiDataBits / 8;
  localparam logic [63:0] MacsPerRow      = 64'(MacsPerRowInt);
  localparam logic [63:0] BytesPerBeat    = 64'(BytesPerBeatInt);

  logic [63:0] cycles_q, tc_busy_q, tc_stall_q, macs_q, rd_bytes_q, wr_bytes_q, dma_busy_q;
  logic [63:0] vu_busy_q, vu_stall_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      cycles_q   <= '0;
      tc_busy_q  <= '0;
      tc_stall_q <= '0;
      macs_q     <= '0;
      rd_bytes_q <= '0;
      wr_bytes_q <= '0;
      dma_busy_q <= '0;
      vu_busy_q  <= '0;
      vu_stall_q <= '0;
    end else begin
      cycles_q <= cycles_q + 64'd1;
      if (tc_busy_i)     tc_busy_q  <= tc_busy_q + 64'd1;
      if (tc_stall_i)    tc_stall_q <= tc_stall_q + 64'd1;
      if (tc_row_i)      macs_q     <= macs_q + MacsPerRow;
      if (dma_rd_beat_i) rd_bytes_q <= rd_bytes_q + BytesPerBeat;
      if (dma_wr_beat_i) wr_bytes_q <= wr_bytes_q + BytesPerBeat;
      if (dma_busy_i)    dma_busy_q <= dma_busy_q + 64'd1;
      if (vu_busy_i)     vu_busy_q  <= vu_busy_q + 64'd1;
      if (vu_stall_i)    vu_stall_q <= vu_stall_q + 64'd1;
    end
  end

  assign cycles_o       = cycles_q;
  assign tc_busy_o      = tc_busy_q;
  assign tc_stall_o     = tc_stall_q;
  assign macs_o         = macs_q;
  assign dma_rd_bytes_o = rd_bytes_q;
  assign dma_wr_bytes_o = wr_bytes_q;
  assign dma_busy_o     = dma_busy_q;
  assign vu_busy_o      = vu_busy_q;
  assign vu_stall_o     = vu_stall_q;

  // A channel serves one direction per descriptor and moves at most one beat
  // per cycle, so busy = stall + beats holds per channel by construction.
  for (genvar c = 0; c < Ch; c++) begin : g_ch
    logic [63:0] rd_q, wr_q, busy_q, stall_q;
    logic        beat;
    assign beat = dma_ch_rd_beat_i[c] | dma_ch_wr_beat_i[c];
    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        rd_q <= '0; wr_q <= '0; busy_q <= '0; stall_q <= '0;
      end else begin
        if (dma_ch_rd_beat_i[c])      rd_q    <= rd_q + BytesPerBeat;
        if (dma_ch_wr_beat_i[c])      wr_q    <= wr_q + BytesPerBeat;
        if (dma_ch_busy_i[c])         busy_q  <= busy_q + 64'd1;
        if (dma_ch_busy_i[c] && !beat) stall_q <= stall_q + 64'd1;
      end
    end
    assign dma_ch_rd_bytes_o[c] = rd_q;
    assign dma_ch_wr_bytes_o[c] = wr_q;
    assign dma_ch_busy_o[c]     = busy_q;
    assign dma_ch_stall_o[c]    = stall_q;
  end

endmodule : kiln_perf_counters
