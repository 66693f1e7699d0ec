#include "trace_json.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <utility>

namespace kiln {

namespace {

// Every event belongs to one process; tracks are its threads.
constexpr int kPid = 1;

std::string escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else {
      o += c;
    }
  }
  return o;
}

// Microseconds with nanosecond precision, exact (no floating point).
std::string us(uint64_t ns) {
  char b[32];
  std::snprintf(b, sizeof b, "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
  return b;
}

}  // namespace

void TraceArgs::key(const char* k) {
  if (!body_.empty()) body_ += ',';
  body_ += '"';
  body_ += escape(k);
  body_ += "\":";
}

TraceArgs& TraceArgs::num(const char* k, uint64_t v) {
  key(k);
  body_ += std::to_string(v);
  return *this;
}

TraceArgs& TraceArgs::str(const char* k, const std::string& v) {
  key(k);
  body_ += '"' + escape(v) + '"';
  return *this;
}

TraceArgs& TraceArgs::hex(const char* k, uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  return str(k, b);
}

bool TraceWriter::writable(const std::string& path, std::string* err) {
  if (path.empty()) {
    if (err) *err = "trace file: the path is empty";
    return false;
  }
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) {
    if (err) *err = "cannot write the trace file '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::fclose(f);
  return true;
}

std::unique_ptr<TraceWriter> TraceWriter::open(const std::string& path, std::string* err) {
  if (path.empty()) {
    if (err) *err = "trace file: the path is empty";
    return nullptr;
  }
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) {
    if (err) *err = "cannot write the trace file '" + path + "': " + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<TraceWriter> w(new TraceWriter(path, f));
  std::fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", f);
  w->emit(std::string("{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":"
                      "\"Kiln (simulated time)\"}}"));
  return w;
}

TraceWriter::TraceWriter(std::string path, std::FILE* f) : path_(std::move(path)), f_(f) {
  // Events are small and many: a large buffer keeps the write calls few.
  std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
}

TraceWriter::~TraceWriter() {
  std::string err;
  if (f_ && !close(last_ns_, &err)) std::fprintf(stderr, "kiln: %s\n", err.c_str());
}

void TraceWriter::emit(const std::string& line) {
  if (!f_) return;
  if (!first_) std::fputs(",\n", f_);
  first_ = false;
  std::fputs(line.c_str(), f_);
}

int TraceWriter::add_track(const std::string& name) {
  const int tid = static_cast<int>(tracks_.size()) + 1;
  Track track;
  track.name = name;
  tracks_.push_back(std::move(track));
  const std::string t = std::to_string(tid);
  emit("{\"ph\":\"M\",\"pid\":1,\"tid\":" + t + ",\"name\":\"thread_name\",\"args\":{\"name\":\"" + escape(name) +
       "\"}}");
  emit("{\"ph\":\"M\",\"pid\":1,\"tid\":" + t + ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" + t +
       "}}");
  return tid - 1;
}

void TraceWriter::write_x(int track, uint64_t begin, uint64_t end, const std::string& name, const char* cat,
                          const std::string& args) {
  end = std::max(end, begin);
  last_ns_ = std::max(last_ns_, end);
  std::string l = "{\"ph\":\"X\",\"pid\":" + std::to_string(kPid) + ",\"tid\":" + std::to_string(track + 1) +
                  ",\"ts\":" + us(begin) + ",\"dur\":" + us(end - begin) + ",\"cat\":\"" + cat + "\",\"name\":\"" +
                  escape(name) + "\"";
  if (!args.empty()) l += ",\"args\":" + args;
  l += '}';
  emit(l);
  ++events_;
}

void TraceWriter::begin(int track, uint64_t ns, const std::string& name, const char* cat, const TraceArgs& args) {
  if (!valid(track)) return;
  Track& t = tracks_[track];
  if (t.open) end(track, ns);
  t.open = true;
  t.begin = ns;
  t.span_name = name;
  t.cat = cat;
  t.args = args.empty() ? std::string() : args.json();
  last_ns_ = std::max(last_ns_, ns);
}

void TraceWriter::end(int track, uint64_t ns) {
  if (!valid(track) || !tracks_[track].open) return;
  Track& t = tracks_[track];
  t.open = false;
  write_x(track, t.begin, ns, t.span_name, t.cat, t.args);
}

bool TraceWriter::open_span(int track) const { return valid(track) && tracks_[track].open; }

void TraceWriter::span(int track, uint64_t begin_ns, uint64_t end_ns, const std::string& name, const char* cat,
                       const TraceArgs& args) {
  if (valid(track)) write_x(track, begin_ns, end_ns, name, cat, args.empty() ? std::string() : args.json());
}

void TraceWriter::instant(int track, uint64_t ns, const std::string& name, const char* cat, const TraceArgs& args) {
  if (!valid(track)) return;
  last_ns_ = std::max(last_ns_, ns);
  std::string l = "{\"ph\":\"i\",\"s\":\"t\",\"pid\":" + std::to_string(kPid) + ",\"tid\":" +
                  std::to_string(track + 1) + ",\"ts\":" + us(ns) + ",\"cat\":\"" + cat + "\",\"name\":\"" +
                  escape(name) + "\"";
  if (!args.empty()) l += ",\"args\":" + args.json();
  l += '}';
  emit(l);
  ++events_;
}

bool TraceWriter::close(uint64_t end_ns, std::string* err) {
  if (!f_) return true;
  end_ns = std::max(end_ns, last_ns_);
  for (size_t i = 0; i < tracks_.size(); ++i) {
    Track& t = tracks_[i];
    if (!t.open) continue;
    // Keep the span's own args and say it was cut short.
    std::string args = t.args.empty() ? std::string("{}") : t.args;
    args.insert(args.size() - 1, std::string(args.size() > 2 ? "," : "") + "\"unfinished\":true");
    t.open = false;
    write_x(static_cast<int>(i), t.begin, end_ns, t.span_name, t.cat, args);
  }
  std::fprintf(f_,
               "\n],\"otherData\":{\"generator\":\"kiln\",\"time\":\"simulated ns (ts/dur in us)\","
               "\"end_ns\":%" PRIu64 ",\"events\":%" PRIu64 "}}\n",
               end_ns, events_);
  const bool bad = std::ferror(f_) != 0;
  const int saved = errno;
  const bool close_failed = std::fclose(f_) != 0;
  f_ = nullptr;
  if (bad || close_failed) {
    if (err) *err = "writing the trace file '" + path_ + "' failed: " + std::strerror(bad ? saved : errno);
    return false;
  }
  return true;
}

}  // namespace kiln
