// Bad input found by fuzzing (issue 17): nesting too deep for toml++'s recursion, non-ASCII
// characters where toml++ 3.3 reaches undefined behaviour, scenario paths
// that are not regular files or too large, books larger than the kernels hold, --paths / --seed
// out of range or in conflict with --set, error floods, control characters, and scenarios whose
// cells cannot fit in memory. Each is refused with a problem naming the key or line and the limit.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "host/families/memory_fit.hpp"
#include "host/scenario/parser.hpp"
#include "host/scenario/scenario_file.hpp"
#include "host/scenario/toml_precheck.hpp"
#include "host/sweep.hpp"
#include "tests/support/scenario_inputs.hpp"

namespace hedgemap {
namespace {

using test_support::all_lines;
using test_support::kMinimalCppi;
using test_support::kMinimalHedging;
using test_support::problems_of;

std::string repeated(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// ---- nesting ---------------------------------------------------------------------------------

TEST(ScenarioNesting, DepthCountsHeadersDottedKeysArraysAndInlineTables) {
  EXPECT_FALSE(precheck_toml("a = 1\n", 1));
  EXPECT_EQ(precheck_toml("a.b = 1\n", 1)->depth, 2);
  EXPECT_EQ(precheck_toml("[x.y]\na = 1\n", 2)->depth, 3);
  EXPECT_EQ(precheck_toml("[[x]]\n", 1)->depth, 2);  // the array and its element
  EXPECT_EQ(precheck_toml("a = [[1]]\n", 2)->depth, 3);
  EXPECT_EQ(precheck_toml("a = {b = {c = 1}}\n", 2)->depth, 3);
  EXPECT_FALSE(precheck_toml("a = [[1], [2]]\nb = 1\n", 3));
  // Brackets, braces and dots inside strings and comments nest nothing.
  EXPECT_FALSE(precheck_toml("a = \"[[[{{{.\"  # [[[[ a.b.c.d\nb = '''[[\n{{'''\n", 1));
  EXPECT_FALSE(precheck_toml("\"a.b.c\" = 0.5\n'x.y' = 1979-05-27 07:32:00\n", 1));
  // The line where the limit is first passed.
  const auto excess = precheck_toml("a = 1\nb = [\n [\n  [1]]]\n", 3);
  ASSERT_TRUE(excess);
  EXPECT_EQ(excess->line, 4);
}

TEST(ScenarioNesting, ThePresetsAreFarBelowTheLimit) {
  for (const auto& entry : std::filesystem::directory_iterator(HEDGEMAP_SOURCE_DIR "/scenarios")) {
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(precheck_toml(text, 4)) << entry.path();
  }
}

// toml++ recurses once per level: 30,000 levels overflowed the stack (a segfault) before this
// check. Every way of nesting is refused before the parse, naming the line and the limit.
TEST(ScenarioNesting, ThirtyThousandLevelsAreRefusedNamingTheLineAndTheLimit) {
  const std::string limit = "at most " + std::to_string(kMaxTomlNesting) + " levels";
  const std::vector<std::string> deep{
      "a" + repeated(".a", 30000) + " = 1\n",                        // dotted keys
      "[a" + repeated(".a", 30000) + "]\n",                          // a table header
      "[[a" + repeated(".a", 30000) + "]]\n",                        // an array of tables
      "a = " + repeated("[", 30000) + repeated("]", 30000) + "\n",   // arrays
      "a = " + repeated("{b=", 30000) + "1" + repeated("}", 30000),  // inline tables
  };
  for (const std::string& tail : deep) {
    const auto problems = problems_of(std::string(kMinimalCppi) + tail);
    ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
    EXPECT_EQ(problems[0].location, "x.toml:6") << tail.substr(0, 20);
    EXPECT_EQ(problems[0].line, 6);
    EXPECT_NE(problems[0].message.find(limit), std::string::npos) << problems[0].message;
  }
}

TEST(ScenarioNesting, OverridesNestedTooDeepAreRefused) {
  const auto deep_key = problems_of(kMinimalCppi, {"a" + repeated(".a", 30000) + "=1"});
  ASSERT_EQ(deep_key.size(), 1u) << all_lines(deep_key);
  EXPECT_EQ(deep_key[0].location, "--set");
  EXPECT_NE(deep_key[0].message.find("more than 32 levels"), std::string::npos);
  EXPECT_LT(deep_key[0].line_text().size(), 400u);  // the 60,000-byte key is cut
  const auto deep_value =
      problems_of(kMinimalCppi, {"cppi.multiplier=" + repeated("[", 30000) + repeated("]", 30000)});
  ASSERT_EQ(deep_value.size(), 1u) << all_lines(deep_value);
  EXPECT_EQ(deep_value[0].key, "cppi.multiplier");
  // A value that hides a table header: "v = 1\n[a.a...]" would parse as a deep table.
  const auto hidden = problems_of(kMinimalCppi, {"seed=1\n[a" + repeated(".a", 30000) + "]"});
  ASSERT_EQ(hidden.size(), 1u) << all_lines(hidden);
  EXPECT_EQ(hidden[0].key, "seed");
}

// toml++ 3.3.0's is_non_ascii_horizontal_whitespace() reaches __builtin_unreachable() for
// U+00A1..U+0499 (found by fuzz_scenario under UBSan): no such character reaches toml++ where
// it asks whether a character is whitespace.
TEST(ScenarioNonAscii, OutsideStringsInKeysAndAfterBackslashesItIsRefusedBeforeTheParse) {
  const std::string ch = "\xCF\xA2";  // U+03E2
  for (const std::string& text :
       {"seed = 1" + ch + "\n", "x = t" + ch + "\n", "x = 4=s\"" + ch + "\"\n", ch + " = 1\n",
        "\"k" + ch + "\" = 1\n", "[\"t" + ch + "\"]\n", "a = { \"" + ch + "\" = 1 }\n",
        "n = \"\"\"a\\" + ch + "\"\"\"\n", "n = \"\"\"a\\\n  " + ch + "\"\"\"\n",
        "n = \"\"\"a\\ " + ch + "\"\"\"\n"}) {
    const auto problems = problems_of(std::string(kMinimalCppi) + text);
    ASSERT_EQ(problems.size(), 1u) << text << all_lines(problems);
    EXPECT_EQ(problems[0].location, "x.toml:6") << text;
    EXPECT_NE(problems[0].message.find("non-ASCII character"), std::string::npos) << text;
  }
  // In strings and comments it is TOML: the name, a comment, a multi-line string's text.
  std::string text = kMinimalCppi;
  text.replace(text.find("\"t\""), 3,
               "\"Stra\xC3\x9F"
               "e " +
                   ch + "\"");
  EXPECT_TRUE(problems_of("# " + ch + "\n" + text).empty());
  EXPECT_FALSE(precheck_toml("a =  + ch + \nb = \"\"\"\\u00e9" + ch + "\"\"\"\n", 32));
  EXPECT_FALSE(
      precheck_toml("\xEF\xBB\xBF"
                    "a = 1\n",
                    32));  // a byte order mark
  // An override's bare word is a string, whatever its characters.
  const Scenario s = parse_scenario(kMinimalCppi, "x.toml",
                                    {"name=Stra\xC3\x9F"
                                     "e" +
                                     ch});
  EXPECT_EQ(s.name,
            "Stra\xC3\x9F"
            "e" +
                ch);
}

// ---- files -----------------------------------------------------------------------------------

std::string refusal_of_file(const std::string& path) {
  try {
    load_scenario_file(path);
  } catch (const ScenarioError& e) {
    return e.problems.at(0).line_text();
  }
  return "";
}

TEST(ScenarioFile, OnlyRegularFilesAreRead) {
  EXPECT_EQ(refusal_of_file("/dev/zero"),
            "/dev/zero: the scenario is a character device: it must be a regular TOML file");
  const std::string dir = testing::TempDir();
  EXPECT_NE(refusal_of_file(dir).find("is a directory"), std::string::npos);
  // A FIFO without a writer: opening it must not block (the test would hang).
  const std::string fifo = dir + "/hedgemap-test-" + std::to_string(getpid()) + ".fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(refusal_of_file(fifo).find("is a FIFO"), std::string::npos);
  std::remove(fifo.c_str());
  EXPECT_NE(refusal_of_file(dir + "/no-such-scenario.toml").find("cannot open"), std::string::npos);
}

TEST(ScenarioFile, FilesOverOneMebibyteAreRefusedBeforeTheyAreRead) {
  const std::string path = testing::TempDir() + "/hedgemap-test-big-" + std::to_string(getpid());
  {
    std::ofstream out(path);
    out << kMinimalCppi << "# " << std::string(kMaxScenarioFileBytes, 'x') << "\n";
  }
  EXPECT_NE(refusal_of_file(path).find("at most 1048576 bytes (1 MiB)"), std::string::npos);
  {
    std::ofstream out(path);  // just below the cap: read and parsed
    out << kMinimalCppi << "# " << std::string(kMaxScenarioFileBytes - 200, 'x') << "\n";
  }
  EXPECT_EQ(refusal_of_file(path), "");
  std::remove(path.c_str());
}

// ---- checks run makes, now in the parser ------------------------------------------------------

TEST(ScenarioRunChecks, ABookOfMoreThanEightLegsIsRefusedByValidate) {
  const std::string leg = "[[book]]\ntype = \"call\"\nstrike = 1.0\nquantity = -1.0\n";
  const std::string head = "name = \"t\"\n[grid]\nvolatility = [0.4]\nexpiry_days = [1]\n";
  EXPECT_TRUE(problems_of(head + repeated(leg, 8) + "[hedging]\n").empty());
  const auto problems = problems_of(head + repeated(leg, 11) + "[hedging]\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].line_text(),
            "x.toml:5:1: book: has 11 legs; at most 8 [[book]] sections are allowed");
}

// 2^40 paths passed validation and died in std::bad_alloc: the memory check of validate and run.
TEST(ScenarioRunChecks, ACellThatCannotFitInMemoryIsAProblemOfSimulationPaths) {
  const Scenario s = parse_scenario(kMinimalHedging, "x.toml", {"simulation.paths=1000000"});
  const std::vector<GroupSpec> groups = sweep_groups(s);
  MachineMemory memory;
  memory.host_bytes = 1e12;
  memory.host_source = "test";
  EXPECT_FALSE(memory_problem(s, groups, memory, "x.toml"));
  memory.host_bytes = 2e7;  // 20 MB: the P&L of 1M paths alone is 8 MB per point
  const auto problem = memory_problem(s, groups, memory, "x.toml");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->key, "simulation.paths");
  EXPECT_EQ(problem->value, "1000000");
  EXPECT_NE(problem->message.find("is available (test)"), std::string::npos) << problem->message;
  EXPECT_NE(problem->message.find("paths fit"), std::string::npos) << problem->message;
  // A CUDA device that holds the cell (HEDGEMAP_CUDA_DEVICE_MOMENTS=1 keeps little on the host).
  memory.device_bytes = 1e12;
  EXPECT_FALSE(memory_problem(s, groups, memory, "x.toml"));
  // No machine holds 2^40 paths of 6 hedging points (the P&L alone is 48 TiB).
  const Scenario huge =
      parse_scenario(kMinimalHedging, "x.toml", {"simulation.paths=1099511627776"});
  EXPECT_TRUE(memory_problem(huge, sweep_groups(huge), machine_memory(false), "x.toml"));
}

// ---- --paths and --seed -----------------------------------------------------------------------

std::vector<ScenarioProblem> option_problems(const std::vector<std::string>& sets,
                                             const std::vector<OptionOverride>& options) {
  try {
    parse_scenario(kMinimalCppi, "x.toml", sets, options);
  } catch (const ScenarioError& e) {
    return e.problems;
  }
  return {};
}

TEST(ScenarioOptions, PathsAndSeedOutOfRangeNameTheOptionAndTheRange) {
  auto p = option_problems({}, {{"--paths", "simulation.paths", "-5"}});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].line_text(),
            "--paths: simulation.paths = -5: must be in [64, 2^40]"
            " (the statistics need 2 paths in each of the 32 bootstrap blocks)");
  p = option_problems({}, {{"--paths", "simulation.paths", "many"}});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].line_text(),
            "--paths: simulation.paths = \"many\": must be an integer in [64, 2^40]"
            " (the statistics need 2 paths in each of the 32 bootstrap blocks)");
  p = option_problems({}, {{"--seed", "seed", "18446744073709551615"}});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].location, "--seed");
  EXPECT_NE(p[0].message.find(">= 0"), std::string::npos);
  const Scenario s =
      parse_scenario(kMinimalCppi, "x.toml", {}, {{"--paths", "simulation.paths", "120"}});
  EXPECT_EQ(s.simulation.paths, 120u);
}

TEST(ScenarioOptions, AnOptionAndASetOfTheSameKeyMustAgree) {
  auto p = option_problems({"simulation.paths=200"}, {{"--paths", "simulation.paths", "100"}});
  ASSERT_EQ(p.size(), 1u) << all_lines(p);
  EXPECT_EQ(p[0].line_text(),
            "--paths: simulation.paths = 100: conflicts with --set simulation.paths=200: give one "
            "of --paths and --set simulation.paths");
  p = option_problems({"simulation={paths=70}"}, {{"--paths", "simulation.paths", "80"}});
  EXPECT_EQ(p.size(), 1u) << all_lines(p);
  p = option_problems({"seed=5"}, {{"--seed", "seed", "6"}});
  EXPECT_EQ(p.size(), 1u) << all_lines(p);
  // The same value twice is no conflict; the file's own value is what the option overrides.
  EXPECT_TRUE(option_problems({"seed=5"}, {{"--seed", "seed", "5"}}).empty());
  const Scenario s = parse_scenario(std::string(kMinimalCppi) + "\n", "x.toml", {"seed=9"},
                                    {{"--paths", "simulation.paths", "400"}});
  EXPECT_EQ(s.simulation.paths, 400u);
  EXPECT_EQ(s.seed, 9u);
}

// ---- how problems are printed -----------------------------------------------------------------

TEST(ScenarioProblems, ErrorsAreCappedPerKeyAndInAll) {
  std::string values;
  for (int i = 0; i < 100000; ++i) values += i ? ", -1" : "-1";
  std::string text = kMinimalCppi;
  text.replace(text.find("[0.4, 0.8]"), 10, "[" + values + "]");
  try {
    parse_scenario(text, "x.toml");
    FAIL() << "accepted";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.count, 100000u);
    ASSERT_EQ(e.problems.size(), kMaxProblemsPerKey + 1) << all_lines(e.problems);
    EXPECT_EQ(e.problems[0].key, "grid.volatility[0]");
    EXPECT_EQ(e.problems.back().line_text(),
              "x.toml: ... and 99,990 more problems in grid.volatility");
  }
  // Many keys with a few problems each: at most kMaxProblemsListed lines, then one for the rest.
  std::string unknown = kMinimalCppi;
  for (int i = 0; i < 500; ++i) unknown += "key" + std::to_string(i) + " = 1\n";
  try {
    parse_scenario(unknown, "x.toml");
    FAIL() << "accepted";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.count, 500u);
    ASSERT_EQ(e.problems.size(), kMaxProblemsListed + 1);
    EXPECT_EQ(e.problems.back().line_text(), "x.toml: ... and 400 more problems");
  }
}

TEST(ScenarioProblems, ControlCharactersNeverReachTheTerminalOrAFileName) {
  // In the name (it becomes results/<name>.h5): refused.
  for (const char* name : {"a\\u001b[31mred", "tab\\there", "del\\u007f", "c1\\u009b", "a/b"}) {
    std::string text = kMinimalCppi;
    text.replace(text.find("\"t\""), 3, std::string("\"") + name + "\"");
    const auto problems = problems_of(text);
    ASSERT_EQ(problems.size(), 1u) << name;
    EXPECT_EQ(problems[0].key, "name");
    EXPECT_NE(problems[0].message.find("control characters"), std::string::npos);
  }
  std::string long_name = kMinimalCppi;
  long_name.replace(long_name.find("\"t\""), 3, "\"" + std::string(129, 'n') + "\"");
  EXPECT_EQ(problems_of(long_name).size(), 1u);
  // Anywhere else (an unknown quoted key, a value, an override): escaped when printed.
  const auto problems = problems_of(std::string(kMinimalCppi) + "\"k\\u001b]0;x\\u0007\" = 1\n",
                                    {"costs.fee_bps=\x1b[2J"});
  ASSERT_EQ(problems.size(), 2u) << all_lines(problems);
  for (const ScenarioProblem& p : problems) {
    const std::string line = p.line_text();
    for (const char c : line) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << line;
    EXPECT_NE(line.find("\\u001b"), std::string::npos) << line;
  }
  EXPECT_EQ(printable("a\x1b\x7f\xc2\x9b\xc3\xa9"), "a\\u001b\\u007f\\u009b\xc3\xa9");
}

}  // namespace
}  // namespace hedgemap
