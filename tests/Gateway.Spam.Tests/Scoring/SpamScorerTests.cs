using Gateway.Spam.Rules;
using Gateway.Spam.Scoring;

namespace Gateway.Spam.Tests.Scoring;

public sealed class SpamScorerTests
{
    private static SpamScorer Scorer(params SpamRuleDefinition[] rules) =>
        new(SpamRuleSet.Create(rules), model: null, SpamScoringOptions.Default);

    [Fact]
    public void Gtube_in_the_body_is_spam_whatever_else_the_message_says()
    {
        var scorer = Scorer(new SpamRuleDefinition("KNOWN_FRIEND", SpamRuleTarget.Header, "alice@example\\.org", -50, "From"));

        var verdict = scorer.Score(TestMessages.Plain("test\r\n" + SpamRuleSet.Gtube), SpamContext.None);

        Assert.True(verdict.IsSpam);
        Assert.Contains(verdict.Reasons, r => r.Name == "GTUBE");
        Assert.Equal(SpamRuleSet.GtubeScore - 50, verdict.Score);
    }

    [Fact]
    public void Gtube_in_a_header_field_is_found_in_the_message_as_received()
    {
        var verdict = Scorer().Score(TestMessages.Plain("nothing here", extraHeaders: "X-Test: " + SpamRuleSet.Gtube + "\r\n"), SpamContext.None);

        Assert.Contains(verdict.Reasons, r => r.Name == "GTUBE");
    }

    [Fact]
    public void Gtube_is_found_inside_a_base64_encoded_part()
    {
        var verdict = Scorer().Score(TestMessages.Base64Text("hello " + SpamRuleSet.Gtube), SpamContext.None);

        Assert.True(verdict.IsSpam);
    }

    [Fact]
    public void A_plain_message_without_rule_hits_passes_with_score_zero()
    {
        var verdict = Scorer().Score(TestMessages.Plain(TestMessages.Ham(1)), SpamContext.None);

        Assert.False(verdict.IsSpam);
        Assert.Equal(0, verdict.Score);
        Assert.Empty(verdict.Reasons);
        Assert.Null(verdict.ClassifierProbability);
        Assert.Equal("No, score=0.0 required=5.0 tests=none", verdict.ToHeaderValue());
    }

    [Fact]
    public void Scores_of_every_matching_rule_add_up_and_non_matching_rules_add_nothing()
    {
        var scorer = Scorer(
            new SpamRuleDefinition("SUBJ_PRIZE", SpamRuleTarget.Header, "prize", 2.5, "Subject"),
            new SpamRuleDefinition("BODY_CASH", SpamRuleTarget.Body, @"\bcash\b", 1.25),
            new SpamRuleDefinition("RAW_MIME", SpamRuleTarget.Raw, "^MIME-Version:", 0.5),
            new SpamRuleDefinition("URI_BAD", SpamRuleTarget.UriDomain, @"(^|\.)bad\.example$", 3),
            new SpamRuleDefinition("BODY_ABSENT", SpamRuleTarget.Body, "mortgage", 7));
        var message = TestMessages.Plain("Get cash at http://www.bad.example/claim now", subject: "Your prize");

        var verdict = scorer.Score(message, SpamContext.None);

        Assert.Equal(["SUBJ_PRIZE", "BODY_CASH", "URI_BAD"], verdict.Reasons.Select(r => r.Name));
        Assert.Equal(6.75, verdict.Score);
        Assert.True(verdict.IsSpam);
    }

    [Fact]
    public void Raw_rules_match_across_the_message_as_received_with_multiline_option()
    {
        var scorer = Scorer(new SpamRuleDefinition("RAW_MIME", SpamRuleTarget.Raw, "(?m)^MIME-Version:", 0.5));

        var verdict = scorer.Score(TestMessages.Plain("x"), SpamContext.None);

        Assert.Equal(0.5, verdict.Score);
    }

    [Fact]
    public void Attachment_name_rules_see_the_file_name()
    {
        var scorer = Scorer(new SpamRuleDefinition("EXE_ATTACHED", SpamRuleTarget.AttachmentName, @"\.(exe|scr)$", 4));

        Assert.Equal(4, scorer.Score(TestMessages.WithAttachment("invoice.pdf.exe"), SpamContext.None).Score);
        Assert.Equal(0, scorer.Score(TestMessages.WithAttachment("invoice.pdf"), SpamContext.None).Score);
    }

    [Fact]
    public void A_rule_that_runs_out_of_time_is_skipped_and_named_while_other_rules_still_count()
    {
        var rules = SpamRuleSet.Create(
            [
                new SpamRuleDefinition("BACKTRACKS", SpamRuleTarget.Body, "^(a+)+$", 100),
                new SpamRuleDefinition("HAS_A", SpamRuleTarget.Body, "aaaa", 1),
            ],
            TimeSpan.FromMilliseconds(5));
        var scorer = new SpamScorer(rules, null, SpamScoringOptions.Default);

        var verdict = scorer.Score(TestMessages.Plain(new string('a', 5_000) + "!"), SpamContext.None);

        Assert.Contains(verdict.Reasons, r => r is { Name: "BACKTRACKS_TIMEOUT", Score: 0 });
        Assert.Equal(1, verdict.Score);
    }

    [Fact]
    public void An_invalid_pattern_is_refused_when_the_rule_set_is_built()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            SpamRuleSet.Create([new SpamRuleDefinition("BROKEN", SpamRuleTarget.Body, "(unclosed", 1)]));

        Assert.Contains("BROKEN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Authentication_failures_add_points_and_a_dmarc_pass_removes_some()
    {
        var scorer = Scorer();
        var message = TestMessages.Plain(TestMessages.Ham(2));

        var failed = scorer.Score(message, new SpamContext(AuthenticationOutcome.Fail, AuthenticationOutcome.Fail, AuthenticationOutcome.Fail));
        var passed = scorer.Score(message, new SpamContext(AuthenticationOutcome.Pass, AuthenticationOutcome.Pass, AuthenticationOutcome.Pass));

        Assert.Equal(1.0 + 1.0 + 2.5, failed.Score);
        Assert.Equal(["SPF_FAIL", "DKIM_FAIL", "DMARC_FAIL"], failed.Reasons.Select(r => r.Name));
        Assert.Equal(-0.5, passed.Score);
    }

    [Fact]
    public void The_header_value_names_the_result_score_threshold_and_tests()
    {
        var scorer = new SpamScorer(
            SpamRuleSet.Create([new SpamRuleDefinition("SUBJ_PRIZE", SpamRuleTarget.Header, "prize", 2.5, "Subject")]),
            null,
            new SpamScoringOptions(Threshold: 2.0));

        var verdict = scorer.Score(TestMessages.Plain("hello", subject: "prize"), SpamContext.None);

        Assert.Equal("Yes, score=2.5 required=2.0 tests=SUBJ_PRIZE", verdict.ToHeaderValue());
        Assert.Equal("2.5", verdict.ScoreText);
    }
}
