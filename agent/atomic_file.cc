#include "agent/atomic_file.h"

#include "absl/strings/str_cat.h"

namespace swell::agent {

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::Status MakeDirs(Env* env, const std::string& dir) {
  if (dir.empty() || dir == "/" || dir == ".") return absl::OkStatus();
  absl::StatusOr<FileInfo> info = env->Stat(dir);
  if (info.ok()) {
    if (info->type == FileInfo::Type::kDirectory) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " exists and is not a directory"));
  }
  absl::Status parent = MakeDirs(env, DirName(dir));
  if (!parent.ok()) return parent;
  absl::Status made = env->MakeDir(dir, 0755);
  if (!made.ok() && !absl::IsAlreadyExists(made)) return made;
  return absl::OkStatus();
}

absl::Status MakeDirs(const std::string& dir) {
  return MakeDirs(Env::Default(), dir);
}

absl::StatusOr<std::string> WriteTempFile(Env* env, const std::string& path,
                                          absl::string_view data, mode_t mode) {
  absl::StatusOr<TempFile> temp = env->NewTempFile(path);
  if (!temp.ok()) return temp.status();
  absl::Status s = temp->file->Append(data);
  if (s.ok()) s = env->Chmod(temp->path, mode);
  if (s.ok()) s = temp->file->Sync();
  if (s.ok()) s = temp->file->Close();
  if (!s.ok()) {
    temp->file.reset();
    env->Unlink(temp->path).IgnoreError();
    return s;
  }
  return temp->path;
}

absl::Status CommitTempFile(Env* env, const std::string& temp,
                            const std::string& path) {
  if (absl::Status s = env->Rename(temp, path); !s.ok()) {
    env->Unlink(temp).IgnoreError();
    return s;
  }
  return env->SyncDir(DirName(path));
}

absl::Status WriteFileAtomically(Env* env, const std::string& path,
                                 absl::string_view data, mode_t mode) {
  absl::Status dirs = MakeDirs(env, DirName(path));
  if (!dirs.ok()) return dirs;
  absl::StatusOr<std::string> temp = WriteTempFile(env, path, data, mode);
  if (!temp.ok()) return temp.status();
  return CommitTempFile(env, *temp, path);
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view data, mode_t mode) {
  return WriteFileAtomically(Env::Default(), path, data, mode);
}

absl::StatusOr<std::string> ReadFileBounded(const std::string& path,
                                            size_t max_bytes) {
  return Env::Default()->ReadFile(path, max_bytes);
}

}  // namespace swell::agent
