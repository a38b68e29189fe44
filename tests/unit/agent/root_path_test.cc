#include "agent/root_path.h"

#include "gtest/gtest.h"

namespace swell::agent {
namespace {

TEST(ResolveUnderRootTest, JoinsAndNormalizes) {
  EXPECT_EQ(*ResolveUnderRoot("/srv/h1", "/etc//app/./x.conf"),
            "/srv/h1/etc/app/x.conf");
  EXPECT_EQ(*ResolveUnderRoot("/srv/h1/", "/etc/a/../b"), "/srv/h1/etc/b");
  EXPECT_EQ(*ResolveUnderRoot("/", "/etc/x"), "/etc/x");
  EXPECT_EQ(*ResolveUnderRoot("/srv/h1", "/"), "/srv/h1");
}

TEST(ResolveUnderRootTest, RejectsRelativeAndEscapingPaths) {
  EXPECT_EQ(ResolveUnderRoot("/srv/h1", "etc/x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveUnderRoot("/srv/h1", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveUnderRoot("/srv/h1", "/../h2/x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveUnderRoot("/", "/a/../../x").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace swell::agent
