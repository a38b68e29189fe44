#pragma once

// Text views of plan previews, the fleet's hosts and the freeze. Pure:
// `now` and the terminal width are passed in.

#include <string>

#include "absl/time/time.h"
#include "swell/v1/rollout.pb.h"

namespace swell::cli {

// Host names listed per wave in a preview before "... and N more".
inline constexpr int kPreviewHostsPerWave = 60;

// The `preview` view: the earliest finish and the seed the waves were drawn
// with (and how to submit exactly them); every wave with its host count,
// counts by site and by role, its hosts wrapped to `width` columns, and its
// bake; then the hosts the selector matches that no wave takes (retired
// or stale), with why; then the gates.
std::string RenderPreview(const v1::PreviewResponse& preview, int width);

// The `hosts` table: HOST SITE ROLE LABELS STATE LAST SEEN GENERATION.
// LABELS holds every label but site and role, as k=v,k=v in key order.
// STATE is connected, disconnected, stale, retired or revoked; below the
// table, each retired host's retirement, each revoked host's revocation,
// and what stale means, when any host is.
std::string RenderHostsTable(const v1::ListHostsResponse& hosts,
                             absl::Time now);

// One line or two on whether the fleet is frozen, by whom, why, since when
// and until when; then the rollouts the freeze halted, if any.
std::string RenderFreeze(const v1::FreezeStatus& freeze, absl::Time now);

}  // namespace swell::cli
