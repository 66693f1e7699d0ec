// Run traces in the Trace Event Format (the JSON that ui.perfetto.dev and
// chrome://tracing open): one named track per NPU unit plus the firmware's
// commands, busy spans as complete events ("X"), fences as instant events.
// Usage and the meaning of each track: docs/debugging.md, "Traces".
//
// Events are written to the file as they end, one per line, so a long run
// costs file size but no memory: only the span still open on each track is
// held. Times are simulated nanoseconds (1 cycle = 1 ns at the 1 GHz model
// clock), written as microseconds with three decimals, which is what the
// format expects.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace kiln {

// The "args" object of one event, built field by field.
class TraceArgs {
 public:
  TraceArgs& num(const char* key, uint64_t v);
  TraceArgs& str(const char* key, const std::string& v);
  TraceArgs& hex(const char* key, uint64_t v);  // as a "0x..." string: addresses read better that way
  bool empty() const { return body_.empty(); }
  std::string json() const { return "{" + body_ + "}"; }

 private:
  void key(const char* k);
  std::string body_;
};

class TraceWriter {
 public:
  // Creates (truncates) `path`. nullptr + *err naming the path and the
  // reason when it cannot be written.
  static std::unique_ptr<TraceWriter> open(const std::string& path, std::string* err);
  // Whether open() could create `path`, without truncating an existing file
  // (an absent one is created empty). Same message as open() on failure.
  static bool writable(const std::string& path, std::string* err);
  ~TraceWriter();  // close() at the last time seen, if not closed yet
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  // A new track (a "thread" of the trace) named `name`; tracks are shown in
  // the order they were added. Returns its id for the calls below.
  int add_track(const std::string& name);

  // One span per track at a time (a unit does one operation at a time):
  // begin() while a span is open ends that one first.
  void begin(int track, uint64_t ns, const std::string& name, const char* cat, const TraceArgs& args = {});
  // Ends the open span (nothing if none is open). An end before the begin
  // (a unit aborted in the cycle it started) is clamped to a zero duration.
  void end(int track, uint64_t ns);
  bool open_span(int track) const;
  // A complete span known in full already.
  void span(int track, uint64_t begin_ns, uint64_t end_ns, const std::string& name, const char* cat,
            const TraceArgs& args = {});
  void instant(int track, uint64_t ns, const std::string& name, const char* cat, const TraceArgs& args = {});

  // Ends the spans still open at end_ns (marked "unfinished": the run stopped
  // while the unit was busy), writes the closing part and closes the file.
  // false + *err if anything could not be written. Later calls do nothing.
  bool close(uint64_t end_ns, std::string* err);

  const std::string& path() const { return path_; }
  uint64_t events() const { return events_; }  // spans and instants so far

 private:
  struct Track {
    std::string name;
    bool open = false;
    uint64_t begin = 0;
    std::string span_name, args;
    const char* cat = "";
  };
  TraceWriter(std::string path, std::FILE* f);
  void emit(const std::string& line);
  void write_x(int track, uint64_t begin, uint64_t end, const std::string& name, const char* cat,
               const std::string& args);
  bool valid(int track) const { return track >= 0 && size_t(track) < tracks_.size(); }

  std::string path_;
  std::FILE* f_;
  std::vector<Track> tracks_;
  uint64_t events_ = 0;
  uint64_t last_ns_ = 0;  // latest time in any event, for the destructor's close
  bool first_ = true;
};

}  // namespace kiln
