// Passwords: read from a file (--password-file) or typed on the terminal without echo. They live in
// a Password, which wipes its bytes when it goes away; they are never logged or saved.
#pragma once

#include <string>

#include "args.hpp"

namespace synckit::cli {

class Password {
 public:
  Password() = default;
  ~Password();
  Password(const Password&) = delete;
  Password& operator=(const Password&) = delete;

  const std::string& str() const noexcept { return text_; }
  // Appends one character (the text is reserved up front so growth leaves no copy behind).
  void push_back(char c);
  bool empty() const noexcept { return text_.empty(); }

 private:
  std::string text_;
};

// The password in `file_flag`'s file (one trailing "\n" or "\r\n" dropped) or, without that flag,
// typed at the terminal after `prompt` (twice when `confirm`). Throws Error{invalid_input} for an
// empty password, a mismatch, an unreadable file, or no terminal.
void read_password(const Args& args, const std::string& file_flag, const std::string& prompt, bool confirm,
                   Password& out);

}  // namespace synckit::cli
