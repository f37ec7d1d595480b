#include "wire/pull_reply_fast.hpp"

#include <unordered_set>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"
#include "synckit/ids.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::wire::detail {
namespace {

// A reading position in compact JSON text; each method consumes what it reads and returns
// false (leaving the position anywhere) when the text is not that.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool done() const noexcept { return i_ == text_.size(); }
  bool skip(char c) noexcept {
    if (i_ >= text_.size() || text_[i_] != c) return false;
    ++i_;
    return true;
  }
  // A string of printable ASCII without escapes.
  bool plain_string(std::string_view& out) noexcept {
    if (!skip('"')) return false;
    const std::size_t start = i_;
    for (; i_ < text_.size() && text_[i_] != '"'; ++i_) {
      const auto c = static_cast<unsigned char>(text_[i_]);
      if (c < 0x20 || c >= 0x7F || c == '\\') return false;
    }
    if (i_ >= text_.size()) return false;
    out = text_.substr(start, i_++ - start);
    return true;
  }
  bool key(std::string_view& out) noexcept { return plain_string(out) && skip(':'); }
  // Digits without a sign or leading zeros, up to 16 of them, in [min, max].
  bool integer(std::int64_t& out, std::int64_t min, std::int64_t max) noexcept {
    const std::size_t start = i_;
    std::int64_t value = 0;
    for (; i_ < text_.size() && text_[i_] >= '0' && text_[i_] <= '9'; ++i_) {
      if (i_ - start == 16) return false;
      value = value * 10 + (text_[i_] - '0');
    }
    const std::size_t digits = i_ - start;
    if (digits == 0 || (digits > 1 && text_[start] == '0') || value < min || value > max) return false;
    out = value;
    return true;
  }
  bool boolean(bool& out) noexcept {
    if (text_.substr(i_, 4) == "true") return i_ += 4, out = true, true;
    if (text_.substr(i_, 5) == "false") return i_ += 5, out = false, true;
    return false;
  }
  // `{` then key/value pairs read by member(key) until `}`; each key's bit (from bit_of) once.
  template <class BitOf, class Member>
  bool object(unsigned all, BitOf bit_of, Member member) {
    if (!skip('{')) return false;
    unsigned seen = 0;
    do {
      std::string_view name;
      if (!key(name)) return false;
      const unsigned bit = bit_of(name);
      if (bit == 0 || (seen & bit) != 0 || !member(bit)) return false;
      seen |= bit;
    } while (skip(','));
    return skip('}') && seen == all;
  }

 private:
  std::string_view text_;
  std::size_t i_ = 0;
};

bool read_change(Scanner& in, PulledChange& out) {
  constexpr unsigned kId = 1, kDevice = 2, kPayload = 4, kSeq = 8;
  const auto bit_of = [](std::string_view name) -> unsigned {
    return name == "change_id" ? kId : name == "device_id" ? kDevice : name == "payload" ? kPayload
         : name == "seq" ? kSeq : 0;
  };
  return in.object(kId | kDevice | kPayload | kSeq, bit_of, [&](unsigned bit) {
    std::string_view text;
    switch (bit) {
      case kId:
        if (!in.plain_string(text) || !is_valid_change_id(text)) return false;
        out.change.change_id = text;
        return true;
      case kDevice:
        if (!in.plain_string(text) || !is_lowercase_uuid(text)) return false;
        out.device_id = text;
        return true;
      case kPayload:
        if (!in.plain_string(text)) return false;
        try {
          out.change.payload = base64_decode(text, "payload");
        } catch (const Error&) {
          return false;
        }
        return out.change.payload.size() >= kMinChangePayloadBytes &&
               out.change.payload.size() <= kMaxChangePayloadBytes;
      default: return in.integer(out.seq, 1, kMaxCursor);
    }
  });
}

bool read_changes(Scanner& in, std::vector<PulledChange>& out) {
  if (!in.skip('[')) return false;
  if (in.skip(']')) return true;
  do {
    if (out.size() == kMaxChangesPerPull || !read_change(in, out.emplace_back())) return false;
  } while (in.skip(','));
  return in.skip(']');
}

// The rules between changes: seq strictly increasing and at most the cursor; ids distinct.
bool changes_in_order(const PullReply& reply) {
  std::unordered_set<std::string_view> ids;
  ids.reserve(reply.changes.size());
  std::int64_t previous = 0;
  for (const PulledChange& change : reply.changes) {
    if (change.seq <= previous || change.seq > reply.cursor || !ids.insert(change.change.change_id).second) {
      return false;
    }
    previous = change.seq;
  }
  return true;
}

}  // namespace

std::optional<PullReply> read_pull_reply_fast(std::string_view text) {
  constexpr unsigned kChanges = 1, kCursor = 2, kHasMore = 4;
  const auto bit_of = [](std::string_view name) -> unsigned {
    return name == "changes" ? kChanges : name == "cursor" ? kCursor : name == "has_more" ? kHasMore : 0;
  };
  Scanner in(text);
  PullReply reply;
  const bool read = in.object(kChanges | kCursor | kHasMore, bit_of, [&](unsigned bit) {
    switch (bit) {
      case kChanges: return read_changes(in, reply.changes);
      case kCursor: return in.integer(reply.cursor, 0, kMaxCursor);
      default: return in.boolean(reply.has_more);
    }
  });
  if (!read || !in.done() || !changes_in_order(reply)) return std::nullopt;
  return reply;
}

}  // namespace synckit::wire::detail
