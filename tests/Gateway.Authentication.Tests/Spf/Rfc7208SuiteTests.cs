using System.Net;
using Gateway.Authentication.Spf;

namespace Gateway.Authentication.Tests.Spf;

/// <summary>Every case of the RFC 7208 test suite, one xunit case each, named "document / test".</summary>
public sealed class Rfc7208SuiteTests
{
    public static TheoryData<string> CaseIds
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var id in Rfc7208Suite.Cases.Keys.Order(StringComparer.Ordinal))
            {
                data.Add(id);
            }

            return data;
        }
    }

    [Fact]
    public void The_whole_suite_is_loaded()
    {
        // 2014.04 release: 17 documents; a short count means the YAML was misread, not that cases passed.
        Assert.True(Rfc7208Suite.Cases.Count >= 180, $"only {Rfc7208Suite.Cases.Count} cases loaded");
        Assert.Contains("Processing limits / void-over-limit", Rfc7208Suite.Cases.Keys);
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public async Task Case_gives_the_expected_result(string id)
    {
        var test = Rfc7208Suite.Cases[id];
        var verifier = new SpfVerifier(test.Dns);

        var check = await verifier.VerifyMailFromAsync(IPAddress.Parse(test.Host), test.Helo, test.MailFrom, CancellationToken.None);

        var got = check.Result.ToString().ToLowerInvariant();
        Assert.True(test.Results.Contains(got), $"{id}: expected {string.Join(" or ", test.Results)}, got {got} ({check.Problem}; {check.Mechanism})");
        if (test.Explanation is "DEFAULT")
        {
            // The suite's DEFAULT is the implementation's own text; ours is no explanation at all.
            Assert.Null(check.Explanation);
        }
        else if (test.Explanation is not null)
        {
            // Case-insensitive: the suite's IPv6 %{i} nibbles are pyspf's upper-case; RFC 7208 7.4 shows lower-case.
            Assert.Equal(test.Explanation, check.Explanation, ignoreCase: true);
        }
    }
}
