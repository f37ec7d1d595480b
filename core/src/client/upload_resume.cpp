// UploadResume as JSON: {"blob_id","upload_id","plain_size","part_size","header","parts":[…]},
// binary values in base64 (protocol.md conventions), read strictly.
#include "synckit/client/blob_transfer.hpp"
#include "synckit/ids.hpp"
#include "synckit/json_value.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit {

std::string upload_resume_to_json(const UploadResume& resume) {
  JsonValue out = JsonValue::object();
  out["blob_id"] = resume.blob_id;
  out["upload_id"] = resume.upload_id;
  out["plain_size"] = resume.plain_size;
  out["part_size"] = resume.part_size;
  out["header"] = base64_encode(resume.header);
  out["parts"] = JsonValue::array();
  for (const auto& part : resume.parts) out["parts"].push_back(base64_encode(part));
  return out.dump();
}

UploadResume parse_upload_resume(std::string_view text) {
  return wire::parse_object_text(text, "upload resume record", [](const wire::ObjectReader& r) {
    UploadResume resume;
    resume.blob_id = r.string("blob_id");
    if (!is_valid_blob_id(resume.blob_id)) r.fail("blob_id", "must be 1..128 characters of [A-Za-z0-9_-]");
    resume.upload_id = r.uuid("upload_id");
    resume.plain_size = static_cast<std::uint64_t>(r.integer("plain_size", 0, wire::kMaxCursor));
    resume.part_size = r.integer("part_size", 1, std::int64_t{1} << 31);
    resume.header = r.base64("header", 24);
    const JsonValue& parts = r.value("parts");
    if (!parts.is_array()) r.fail("parts", "must be an array of base64 hashes");
    for (const auto& part : parts) {
      if (!part.is_string()) r.fail("parts", "must be an array of base64 hashes");
      Bytes hash = base64_decode(part.get<std::string>(), r.field("parts"));
      if (hash.size() != 32) r.fail("parts", "must hold 32-byte hashes");
      resume.parts.push_back(std::move(hash));
    }
    return resume;
  });
}

}  // namespace synckit
