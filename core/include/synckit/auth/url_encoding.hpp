// RFC 3986 percent-encoding and application/x-www-form-urlencoded queries, for the OAuth URLs and
// form bodies of protocol.md ("Auth").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace synckit {

// One name=value pair of a query or form body.
using QueryParam = std::pair<std::string, std::string>;

// Whether c is an RFC 3986 unreserved character: A-Z a-z 0-9 - . _ ~
bool is_unreserved_char(char c) noexcept;

// Percent-encodes every byte except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), with
// uppercase hex ("a b/c" -> "a%20b%2Fc"). Safe for query names, values and form bodies.
std::string percent_encode(std::string_view text);

// Decodes %XX escapes (either hex case); with plus_is_space, '+' becomes ' ' (form/query
// convention). Throws Error{invalid_input} naming `field` (never quoting the text) on a '%' not
// followed by two hex digits.
std::string percent_decode(std::string_view text, std::string_view field, bool plus_is_space = false);

// "n1=v1&n2=v2" with names and values percent_encode()d: a URL query or a form body.
std::string encode_query(const std::vector<std::pair<std::string_view, std::string_view>>& params);

// Splits a query ("a=1&b=x%20y", without the leading '?') into decoded pairs, in order, duplicates
// kept; '+' decodes to a space, empty segments are skipped, a segment without '=' has an empty
// value. Throws Error{invalid_input} naming the parameter (or "query") on a malformed escape.
std::vector<QueryParam> parse_query(std::string_view query);

}  // namespace synckit
