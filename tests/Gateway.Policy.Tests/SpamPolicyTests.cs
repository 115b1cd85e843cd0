namespace Gateway.Policy.Tests;

public sealed class SpamPolicyTests : IDisposable
{
    /// <summary>Minimal policy plus our domain (line 5); "spam:" is line 6, its body from line 7.</summary>
    private const string Base = PolicyFiles.Minimal + "domains: [example.test]\nspam:\n";

    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    private GatewayPolicy Valid(string text) => _files.Valid(text);

    private void AssertError(string text, int line, int column, string messagePart) => _files.AssertError(text, line, column, messagePart);

    [Fact]
    public void Without_the_section_nothing_is_scored()
    {
        var policy = Valid(PolicyFiles.Minimal);

        Assert.False(policy.Spam.Enabled);
        Assert.Empty(policy.Spam.Rules);
    }

    [Fact]
    public void An_empty_section_tags_at_five_points_without_rules_or_model()
    {
        var policy = Valid(Base + "  action: tag\n");

        Assert.True(policy.Spam.Enabled);
        var settings = policy.Spam.For("example.test");
        Assert.Equal(5.0, settings.Threshold);
        Assert.Equal(SpamAction.Tag, settings.Action);
        Assert.Null(settings.SubjectPrefix);
        Assert.Null(policy.Spam.Model);
    }

    [Fact]
    public void Every_setting_is_read_and_domains_inherit_what_they_do_not_set()
    {
        var model = _files.Write("spam.model", "x");
        var policy = Valid(Base +
            "  threshold: 6.5\n  action: tag\n  subject_prefix: \"[SPAM]\"\n  model: spam.model\n" +
            "  rules:\n" +
            "    - {name: SUBJ_PRIZE, target: header, header: Subject, pattern: 'prize|winner', score: 2.5}\n" +
            "    - {name: BODY_PILLS, target: body, pattern: '\\bpills\\b', score: -1}\n" +
            "    - {name: EXE, target: attachment, pattern: '\\.exe$', score: 4}\n" +
            "  domains:\n" +
            "    Example.TEST: {action: reject, threshold: 8}\n" +
            "    .sub.example.test: {action: deliver}\n");

        var spam = policy.Spam;
        Assert.Equal(model, spam.Model);
        Assert.Equal(new SpamDomainPolicy { Threshold = 6.5, Action = SpamAction.Tag, SubjectPrefix = "[SPAM]" }, spam.For("other.test"));
        Assert.Equal(new SpamDomainPolicy { Threshold = 8, Action = SpamAction.Reject, SubjectPrefix = "[SPAM]" }, spam.For("example.test"));
        Assert.Equal(new SpamDomainPolicy { Threshold = 6.5, Action = SpamAction.Deliver, SubjectPrefix = "[SPAM]" }, spam.For("a.sub.example.test"));
        Assert.Equal(["SUBJ_PRIZE", "BODY_PILLS", "EXE"], spam.Rules.Select(r => r.Name));
        Assert.Equal(new SpamRulePolicy { Name = "SUBJ_PRIZE", Target = SpamRuleTargetPolicy.Header, Header = "Subject", Pattern = "prize|winner", Score = 2.5 }, spam.Rules[0]);
        Assert.Equal(-1, spam.Rules[1].Score);
        Assert.Equal(SpamRuleTargetPolicy.Attachment, spam.Rules[2].Target);
    }

    [Fact]
    public void An_invalid_regular_expression_is_an_error_at_the_pattern() =>
        AssertError(Base + "  rules:\n    - name: BAD\n      target: body\n      pattern: '(unclosed'\n      score: 1\n", 10, 16, "spam.rules[0].pattern: not a valid regular expression");

    [Fact]
    public void An_unknown_action_names_the_choices() =>
        AssertError(Base + "  action: bounce\n", 7, 11, "spam.action");

    [Fact]
    public void A_threshold_that_is_not_a_number_is_refused() =>
        AssertError(Base + "  threshold: high\n", 7, 14, "spam.threshold: expected a number");

    [Fact]
    public void A_rule_without_a_score_is_refused_at_the_rule() =>
        AssertError(Base + "  rules:\n    - {name: R, target: body, pattern: x}\n", 8, 7, "spam.rules[0].score is required");

    [Fact]
    public void A_rule_name_used_twice_is_named() =>
        AssertError(Base + "  rules:\n    - {name: R, target: body, pattern: x, score: 1}\n    - {name: r, target: raw, pattern: y, score: 1}\n", 9, 14, "defined twice");

    [Fact]
    public void A_rule_name_that_would_break_the_header_field_is_refused() =>
        AssertError(Base + "  rules:\n    - {name: 'two words', target: body, pattern: x, score: 1}\n", 8, 14, "is not a rule name");

    [Fact]
    public void A_header_name_on_a_body_rule_is_refused() =>
        AssertError(Base + "  rules:\n    - {name: R, target: body, header: Subject, pattern: x, score: 1}\n", 8, 39, "only a rule with target header");

    [Fact]
    public void A_missing_model_file_is_an_error_at_its_position() =>
        AssertError(Base + "  model: /nonexistent/spam.model\n", 7, 10, "does not exist");

    [Fact]
    public void A_misspelt_key_is_suggested() =>
        AssertError(Base + "  treshold: 3\n", 7, 3, "did you mean 'threshold'?");
}
