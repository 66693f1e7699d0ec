// Soft-reset sequencer; spec: rtl/top/README.md.
// CTRL.SOFT_RESET starts it; abort_o stays high until the DMA (which first
// drains its outstanding AXI transactions), the tensor core and the vector
// unit are all idle, then done_o pulses for one cycle.
module kiln_reset_seq (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic start_i,      // one-cycle request
  input  logic units_busy_i, // any DMA channel, the tensor core or the vector unit busy
  output logic abort_o,
  output logic resetting_o,
  output logic done_o
);

  typedef enum logic [1:0] {
    StIdle,
    StAbort,
    StDone
  } state_e;

  state_e state_d, state_q;

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      StIdle:  if (start_i) state_d = StAbort;
      // Abort is seen by the units for at least this cycle before idleness
      // counts, so a unit starting in the request cycle is still stopped.
      StAbort: if (!units_busy_i) state_d = StDone;
      StDone:  state_d = StIdle;
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) state_q <= StIdle;
    else         state_q <= state_d;
  end

  assign abort_o     = state_q == StAbort;
  assign resetting_o = state_q != StIdle;
  assign done_o      = state_q == StDone;

endmodule : kiln_reset_seq
