#include "lib/assistant/tool_schema.h"

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"

namespace tokkit::assistant {
namespace {

using nlohmann::json;

const ToolSchema kSchema = {
    {"order_id", Param::Type::kInteger, "the order", true, 1},
    {"query", Param::Type::kString, "words", false, 0, INT64_MAX, 10},
    {"in_stock", Param::Type::kBoolean, "only in stock"},
    {"quantity", Param::Type::kInteger, "how many", false, 1, 99},
};

TEST(ToolSchema, DescribesItselfAsJsonSchema) {
  const json schema = json::parse(JsonSchemaOf(kSchema));
  EXPECT_EQ(schema["type"], "object");
  EXPECT_EQ(schema["additionalProperties"], false);
  EXPECT_EQ(schema["required"], json::array({"order_id"}));
  EXPECT_EQ(schema["properties"]["order_id"]["type"], "integer");
  EXPECT_EQ(schema["properties"]["quantity"]["maximum"], 99);
  EXPECT_EQ(schema["properties"]["query"]["maxLength"], 10);
  EXPECT_EQ(schema["properties"]["in_stock"]["type"], "boolean");
}

TEST(ToolSchema, AcceptsWhatItDeclares) {
  absl::StatusOr<ToolArgs> args = ParseArguments(
      kSchema,
      R"({"order_id": "132271570944000015", "query": "tea", "in_stock": true})");
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->Int("order_id"), 132271570944000015);
  EXPECT_EQ(args->String("query"), "tea");
  EXPECT_TRUE(args->Bool("in_stock"));
  EXPECT_EQ(args->Int("quantity", 1), 1);  // absent: the default
  EXPECT_EQ(json::parse(args->ToJson())["order_id"], 132271570944000015);
  EXPECT_TRUE(ParseArguments({}, "").ok());
  EXPECT_TRUE(ParseArguments({}, "  {} ").ok());
  EXPECT_TRUE(ParseArguments(kSchema, R"({"order_id":1,"query":null})").ok());
}

TEST(ToolSchema, RefusesEverythingElseWithAMessage) {
  for (const char* bad :
       {"", "[]", "{", "null", "7", R"({"order_id": 0})",
        R"({"order_id": 1.5})", R"({"order_id": "12x"})",
        R"({"order_id": 18446744073709551615})",
        R"({"order_id": 1, "quantity": 100})",
        R"({"order_id": 1, "query": "far too long a query"})",
        R"({"order_id": 1, "query": 5})", R"({"order_id": 1, "in_stock": 1})",
        R"({"order_id": 1, "drop_tables": true})", R"({"query": "tea"})",
        R"({"order_id": ""})"}) {
    absl::StatusOr<ToolArgs> args = ParseArguments(kSchema, bad);
    EXPECT_EQ(args.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_FALSE(args.status().message().empty()) << bad;
  }
}

}  // namespace
}  // namespace tokkit::assistant
