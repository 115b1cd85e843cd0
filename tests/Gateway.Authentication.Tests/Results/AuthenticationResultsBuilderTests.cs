using System.Text;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.Results;
using Gateway.Authentication.Spf;

namespace Gateway.Authentication.Tests.Results;

public sealed class AuthenticationResultsBuilderTests
{
    private static DmarcEvaluation Evaluation(DmarcResult result, DmarcPolicy? policy, DmarcPolicy disposition, string? from = "example.com") => new()
    {
        Result = result,
        Author = from is null ? DmarcAuthor.Invalid(DmarcAuthorProblem.MultipleFromFields) : DmarcAuthor.ForDomain(from),
        Record = policy is null ? null : new DmarcRecord { Policy = policy.Value },
        Policy = policy,
        PolicySource = policy is null ? null : DmarcPolicySource.Domain,
        Disposition = disposition,
        Reason = from is null ? "from: multiple From fields" : null,
    };

    [Fact]
    public void Nothing_checked_is_none()
    {
        var builder = new AuthenticationResultsBuilder("mx.example.net");
        Assert.Equal("mx.example.net; none", builder.BuildValue());
        Assert.Equal("Authentication-Results: mx.example.net; none\r\n", builder.BuildField());
    }

    [Fact]
    public void All_methods_are_written_one_per_line()
    {
        var value = new AuthenticationResultsBuilder("mx.example.net")
            .AddSpf(SpfResult.Pass, "user@example.com")
            .AddDkim(DkimResult.Pass, "example.com", "sel", "abcdefghijklmnop")
            .AddArc("pass")
            .AddDmarc(Evaluation(DmarcResult.Pass, DmarcPolicy.Reject, DmarcPolicy.None))
            .BuildValue();

        Assert.Equal(
            "mx.example.net;\r\n"
            + "\tspf=pass smtp.mailfrom=user@example.com;\r\n"
            + "\tdkim=pass header.d=example.com header.s=sel header.b=abcdefgh;\r\n"
            + "\tarc=pass;\r\n"
            + "\tdmarc=pass (p=reject dis=none) header.from=example.com",
            value);
    }

    [Fact]
    public void Helo_is_used_for_the_null_reverse_path()
    {
        var value = new AuthenticationResultsBuilder("mx").AddSpf(SpfResult.SoftFail, null, "helo.example.org").BuildValue();
        Assert.EndsWith("spf=softfail smtp.helo=helo.example.org", value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"john smith\"@example.com", "smtp.mailfrom=\"\\\"john smith\\\"@example.com\"")]
    [InlineData("a.b+c@example.com", "smtp.mailfrom=a.b+c@example.com")]
    [InlineData("a..b@example.com", "smtp.mailfrom=\"a..b@example.com\"")]
    [InlineData("a;b@example.com", "smtp.mailfrom=\"a;b@example.com\"")]
    [InlineData("x\\y@example.com", "smtp.mailfrom=\"x\\\\y@example.com\"")]
    public void Values_are_quoted_when_needed(string mailFrom, string expected)
    {
        var value = new AuthenticationResultsBuilder("mx").AddSpf(SpfResult.Pass, mailFrom).BuildValue();
        Assert.Contains(expected, value, StringComparison.Ordinal);
    }

    [Fact]
    public void Base64_signature_prefix_is_quoted_and_whitespace_dropped()
    {
        var value = new AuthenticationResultsBuilder("mx").AddDkim(DkimResult.Fail, "example.com", "s", "ab/c\r\n d+=fghij", "body hash mismatch")
            .BuildValue().Replace("\r\n\t", " ", StringComparison.Ordinal);
        Assert.Contains("dkim=fail reason=\"body hash mismatch\" header.d=example.com header.s=s header.b=\"ab/cd+=f\"", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Crlf_cannot_be_injected()
    {
        var value = new AuthenticationResultsBuilder("mx.example.net")
            .AddSpf(SpfResult.Pass, "a@example.com\r\nX-Injected: yes")
            .AddDkim(DkimResult.Pass, "example.com\r\n\r\nbody", "s\n", "b\r")
            .AddMethod("iprev", "pass", "r\r\nx", [new("policy.iprev", "192.0.2.1\r\nX: y")])
            .BuildValue();

        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] is '\r' or '\n')
            {
                Assert.Equal("\r\n\t", value.Substring(i, 3));
                i += 2;
            }
        }

        Assert.DoesNotContain("\r\nX-Injected", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_results_are_folded_near_78_columns()
    {
        var field = new AuthenticationResultsBuilder("mx.example.net")
            .AddSpf(SpfResult.Pass, "very.long.local.part.for.testing.folding@sub.domain.example.com")
            .AddDkim(DkimResult.Pass, "a-rather-long-signing-domain.example.com", "selector-2024-rotation-key", "abcdefgh")
            .BuildField();
        var lines = field.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 4, field);
        // A line may pass 78 columns only when it holds a single word that cannot be folded (RFC 5322 2.2.3).
        Assert.All(lines, line => Assert.True(line.Length <= 78 || !line.Trim().Contains(' ', StringComparison.Ordinal), line));
        Assert.Contains(lines, line => line.Length > 70);
        Assert.All(lines.Skip(1), line => Assert.StartsWith("\t", line, StringComparison.Ordinal));
    }

    [Fact]
    public void Dmarc_failures_show_policy_disposition_and_subdomain_policy()
    {
        var evaluation = Evaluation(DmarcResult.Fail, DmarcPolicy.Reject, DmarcPolicy.Quarantine) with
        {
            Record = new DmarcRecord { Policy = DmarcPolicy.Reject, SubdomainPolicy = DmarcPolicy.Quarantine },
            Policy = DmarcPolicy.Quarantine,
            PolicySource = DmarcPolicySource.Subdomain,
        };
        var value = new AuthenticationResultsBuilder("mx").AddDmarc(evaluation).BuildValue();
        Assert.EndsWith("dmarc=fail (p=reject sp=quarantine dis=quarantine) header.from=example.com", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Dmarc_permerror_carries_its_reason_and_no_header_from()
    {
        var value = new AuthenticationResultsBuilder("mx").AddDmarc(Evaluation(DmarcResult.PermError, null, DmarcPolicy.Reject, from: null)).BuildValue();
        Assert.EndsWith("dmarc=permerror reason=\"from: multiple From fields\"", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Dmarc_none_has_no_policy_comment()
    {
        var value = new AuthenticationResultsBuilder("mx").AddDmarc(Evaluation(DmarcResult.None, null, DmarcPolicy.None)).BuildValue();
        Assert.EndsWith("dmarc=none header.from=example.com", value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("mx example")]
    [InlineData("mx;evil")]
    [InlineData("mx\r\nX: y")]
    public void Authserv_id_must_be_a_token(string id)
    {
        Assert.ThrowsAny<ArgumentException>(() => new AuthenticationResultsBuilder(id));
    }

    [Fact]
    public void Generic_methods_validate_names()
    {
        var builder = new AuthenticationResultsBuilder("mx");
        Assert.Throws<ArgumentException>(() => builder.AddMethod("bad method", "pass"));
        Assert.Throws<ArgumentException>(() => builder.AddMethod("iprev", "pass", properties: [new("nodot", "x")]));
        builder.AddMethod("iprev", "pass", properties: [new("policy.iprev", "192.0.2.1")]);
        Assert.EndsWith("iprev=pass policy.iprev=192.0.2.1", builder.BuildValue(), StringComparison.Ordinal);
    }

    [Fact]
    public void Our_own_output_is_recognized_as_ours()
    {
        var field = new AuthenticationResultsBuilder("mx.example.net").AddSpf(SpfResult.Pass, "a@example.com").BuildField();
        var headers = Encoding.ASCII.GetBytes(field + "Subject: x\r\n");
        var ranges = AuthenticationResultsScanner.FindOwnFields(headers, "MX.example.NET");
        Assert.Equal(field.Length, Assert.Single(ranges).End.Value);
    }
}
