#include "synckit/error.hpp"

namespace synckit {
namespace {

struct KindRow {
  std::string_view name;
  std::string_view message;
};

constexpr KindRow kRows[] = {
#define SYNCKIT_ERROR_ROW(id, name, message) {name, message},
    SYNCKIT_ERROR_KINDS(SYNCKIT_ERROR_ROW)
#undef SYNCKIT_ERROR_ROW
};

const KindRow& row(ErrorKind kind) noexcept {
  const auto index = static_cast<std::size_t>(kind);
  return index < std::size(kRows) ? kRows[index] : kRows[static_cast<std::size_t>(ErrorKind::invalid_input)];
}

std::string compose(ErrorKind kind, const std::string& detail) {
  std::string text(row(kind).message);
  if (!detail.empty()) {
    text += ": ";
    text += detail;
  }
  return text;
}

}  // namespace

std::string_view error_kind_name(ErrorKind kind) noexcept { return row(kind).name; }

std::string_view error_kind_message(ErrorKind kind) noexcept { return row(kind).message; }

Error::Error(ErrorKind kind, std::string detail, std::string field, int status)
    : std::runtime_error(compose(kind, detail)),
      kind_(kind),
      detail_(std::move(detail)),
      field_(std::move(field)),
      status_(status) {}

}  // namespace synckit
