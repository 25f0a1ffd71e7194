#include "lib/store/blob/local_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "lib/core/crypto.h"
#include "lib/core/status_macros.h"

namespace tokkit {
namespace {

namespace fs = std::filesystem;

absl::Status ErrnoStatus(absl::string_view what, int err) {
  return absl::InternalError(absl::StrCat(
      what, ": ", std::error_code(err, std::generic_category()).message()));
}

class LocalBlobWriter : public BlobWriter {
 public:
  LocalBlobWriter(int fd, std::string tmp_path, std::string final_path)
      : fd_(fd),
        tmp_path_(std::move(tmp_path)),
        final_path_(std::move(final_path)) {}

  ~LocalBlobWriter() override {
    if (fd_ >= 0) close(fd_);
    if (!committed_) unlink(tmp_path_.c_str());
  }

  absl::Status Append(absl::string_view data) override {
    if (fd_ < 0) return absl::FailedPreconditionError("writer is closed");
    while (!data.empty()) {
      const ssize_t n = write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("blob write", errno);
      }
      data.remove_prefix(n);
      written_ += n;
    }
    return absl::OkStatus();
  }

  absl::Status Commit() override {
    if (fd_ < 0) return absl::FailedPreconditionError("writer is closed");
    const int fd = fd_;
    fd_ = -1;
    if (fsync(fd) != 0 || close(fd) != 0)
      return ErrnoStatus("blob flush", errno);
    std::error_code ec;
    fs::create_directories(fs::path(final_path_).parent_path(), ec);
    if (ec)
      return absl::InternalError(absl::StrCat("blob mkdir: ", ec.message()));
    if (rename(tmp_path_.c_str(), final_path_.c_str()) != 0) {
      return ErrnoStatus("blob rename", errno);
    }
    committed_ = true;
    return absl::OkStatus();
  }

  int64_t bytes_written() const override { return written_; }

 private:
  int fd_;
  const std::string tmp_path_;
  const std::string final_path_;
  int64_t written_ = 0;
  bool committed_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<LocalBlobStore>> LocalBlobStore::Open(
    const std::string& root) {
  std::error_code ec;
  fs::create_directories(fs::path(root) / ".tmp", ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create blob root ", root, ": ", ec.message()));
  }
  // Temp files untouched for an hour belong to uploads that died with some
  // process. Younger ones may be another replica's upload in progress on a
  // shared directory: an upload writes to its file as bytes arrive.
  const auto stale = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (const auto& entry :
       fs::directory_iterator(fs::path(root) / ".tmp", ec)) {
    std::error_code time_ec;
    const auto written = fs::last_write_time(entry.path(), time_ec);
    if (!time_ec && written < stale) fs::remove(entry.path(), ec);
  }
  return std::unique_ptr<LocalBlobStore>(new LocalBlobStore(root));
}

std::string LocalBlobStore::PathOf(absl::string_view key) const {
  return absl::StrCat(root_, "/", key);
}

absl::StatusOr<std::unique_ptr<BlobWriter>> LocalBlobStore::NewWriter(
    absl::string_view key) {
  RETURN_IF_ERROR(ValidateBlobKey(key));
  const std::string tmp =
      absl::StrCat(root_, "/.tmp/", HexEncode(RandomBytes(12)));
  const int fd =
      open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return ErrnoStatus("blob create", errno);
  return std::unique_ptr<BlobWriter>(new LocalBlobWriter(fd, tmp, PathOf(key)));
}

absl::StatusOr<std::string> LocalBlobStore::ReadRange(absl::string_view key,
                                                      int64_t offset,
                                                      int64_t length) {
  RETURN_IF_ERROR(ValidateBlobKey(key));
  if (offset < 0) return absl::InvalidArgumentError("negative offset");
  const int fd = open(PathOf(key).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat("blob ", key, " not found"));
    }
    return ErrnoStatus("blob open", errno);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return ErrnoStatus("blob stat", err);
  }
  const int64_t size = st.st_size;
  if (offset > size) {
    close(fd);
    return absl::OutOfRangeError(
        absl::StrCat("offset ", offset, " is past the end (", size, " bytes)"));
  }
  const int64_t n =
      length < 0 ? size - offset : std::min(length, size - offset);
  std::string out(n, '\0');
  int64_t done = 0;
  while (done < n) {
    const ssize_t r = pread(fd, out.data() + done, n - done, offset + done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    done += r;
  }
  close(fd);
  out.resize(done);
  return out;
}

absl::StatusOr<int64_t> LocalBlobStore::Size(absl::string_view key) {
  RETURN_IF_ERROR(ValidateBlobKey(key));
  struct stat st;
  if (stat(PathOf(key).c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat("blob ", key, " not found"));
    }
    return ErrnoStatus("blob stat", errno);
  }
  return static_cast<int64_t>(st.st_size);
}

absl::Status LocalBlobStore::Delete(absl::string_view key) {
  RETURN_IF_ERROR(ValidateBlobKey(key));
  if (unlink(PathOf(key).c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("blob delete", errno);
  }
  return absl::OkStatus();
}

}  // namespace tokkit
