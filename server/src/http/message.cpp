#include "http/message.hpp"

#include <algorithm>

namespace synckit::server {
namespace {

template <class Pairs>
const std::string* find_value(const Pairs& pairs, std::string_view name, bool case_insensitive) {
  const auto it = std::find_if(pairs.begin(), pairs.end(), [&](const auto& pair) {
    return case_insensitive ? iequals(pair.first, name) : pair.first == name;
  });
  return it == pairs.end() ? nullptr : &it->second;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

std::string Request::get_header_value(std::string_view name) const {
  const std::string* value = find_value(headers, name, true);
  return value ? *value : std::string();
}

bool Request::has_header(std::string_view name) const { return find_value(headers, name, true) != nullptr; }

std::string Request::get_param_value(std::string_view name) const {
  const std::string* value = find_value(params, name, false);
  return value ? *value : std::string();
}

bool Request::has_param(std::string_view name) const { return find_value(params, name, false) != nullptr; }

void Response::set_header(std::string_view name, std::string value) {
  for (auto& header : headers) {
    if (iequals(header.first, name)) {
      header.second = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::move(value));
}

std::string Response::get_header_value(std::string_view name) const {
  const std::string* value = find_value(headers, name, true);
  return value ? *value : std::string();
}

void Response::set_content(std::string content, std::string_view content_type) {
  body = std::move(content);
  set_header("Content-Type", std::string(content_type));
}

}  // namespace synckit::server
