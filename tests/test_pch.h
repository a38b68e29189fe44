// The headers nearly every test parses, precompiled once for all of them
// (tests/CMakeLists.txt, swell_test). Only widely used, stable headers
// belong here: a change to any of them rebuilds every test.
#pragma once

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "swell/v1/agent.grpc.pb.h"
#include "swell/v1/rollout.grpc.pb.h"
