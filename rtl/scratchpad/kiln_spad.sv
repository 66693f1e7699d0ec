// Kiln scratchpad: banked single-port SRAM shared by P requesters.
// Spec: rtl/scratchpad/README.md.
module kiln_spad
  import kiln_hw_pkg::*;
#(
  parameter int unsigned Words = ScratchpadWords,
  parameter int unsigned Banks = ScratchpadBanks,
  parameter int unsigned P     = 3 + DmaChannels,
  parameter int unsigned AW    = $clog2(Words)
) (
  input  logic           clk_i,
  input  logic           rst_ni,
  input  logic [P-1:0]   req_i,
  input  logic [P-1:0]   we_i,
  input  logic [AW-1:0]  addr_i  [P],
  input  logic [255:0]   wdata_i [P],
  input  logic [31:0]    wstrb_i [P],
  output logic [P-1:0]   gnt_o,
  output logic [P-1:0]   rvalid_o,
  output logic [255:0]   rdata_o [P]
);

  // The bank is the top address bits, so each bank is one contiguous region
  // and streams in different regions (weights, activations, DMA buffers) do
  // not collide.
  localparam int unsigned BankWords = Words / Banks;
  localparam int unsigned RowBits   = $clog2(BankWords);
  localparam int unsigned BankIdxW  = Banks > 1 ? $clog2(Banks) : 1;
  localparam int unsigned PortIdxW  = P > 1 ? $clog2(P) : 1;

  logic [BankIdxW-1:0] port_bank [P];
  logic [RowBits-1:0]  port_row  [P];

  for (genvar p = 0; p < P; p++) begin : g_port_addr
    if (Banks > 1) begin : g_banked
      assign port_bank[p] = addr_i[p][AW-1 -: BankIdxW];
    end else begin : g_single
      assign port_bank[p] = '0;
    end
    assign port_row[p] = addr_i[p][RowBits-1:0];
  end

  // Fixed priority per bank: walk the ports from 0 upwards; the first one
  // asking for a free bank takes it.
  logic                bank_taken [Banks];
  logic [PortIdxW-1:0] bank_port  [Banks];

  always_comb begin
    gnt_o = '0;
    for (int b = 0; b < int'(Banks); b++) begin
      bank_taken[b] = 1'b0;
      bank_port[b]  = '0;
    end
    for (int p = 0; p < int'(P); p++) begin
      if (req_i[p] && !bank_taken[port_bank[p]]) begin
        bank_taken[port_bank[p]] = 1'b1;
        bank_port[port_bank[p]]  = PortIdxW'(p);
        gnt_o[p]                 = 1'b1;
      end
    end
  end

  logic                rd_valid_q [Banks];
  logic [PortIdxW-1:0] rd_port_q  [Banks];
  logic [255:0]        rd_data_q  [Banks];

  for (genvar b = 0; b < Banks; b++) begin : g_bank
    logic [255:0]        mem_q [BankWords];
    logic [PortIdxW-1:0] sel;
    logic                do_write, do_read;

    assign sel      = bank_port[b];
    assign do_write = bank_taken[b] & we_i[sel];
    assign do_read  = bank_taken[b] & ~we_i[sel];

    // SRAM array: no reset, byte-lane write enables.
    always_ff @(posedge clk_i) begin
      if (do_write) begin
        for (int i = 0; i < 32; i++) begin
          if (wstrb_i[sel][i]) mem_q[port_row[sel]][8*i +: 8] <= wdata_i[sel][8*i +: 8];
        end
      end
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        rd_valid_q[b] <= 1'b0;
        rd_port_q[b]  <= '0;
        rd_data_q[b]  <= '0;
      end else begin
        rd_valid_q[b] <= do_read;
        if (do_read) begin
          rd_port_q[b] <= sel;
          rd_data_q[b] <= mem_q[port_row[sel]];
        end
      end
    end
  end

  // A port is granted at most one bank per cycle, so at most one bank
  // returns data to it.
  always_comb begin
    rvalid_o = '0;
    for (int p = 0; p < int'(P); p++) rdata_o[p] = '0;
    for (int b = 0; b < int'(Banks); b++) begin
      if (rd_valid_q[b]) begin
        rvalid_o[rd_port_q[b]] = 1'b1;
        rdata_o[rd_port_q[b]]  = rd_data_q[b];
      end
    end
  end

endmodule : kiln_spad
