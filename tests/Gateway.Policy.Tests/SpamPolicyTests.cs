namespace Gateway.Policy.Tests;

public sealed class SpamPolicyTests : IDisposable
{
    /// <summary>Minimal policy plus our domains (line 5); "spam:" is line 6, its body from line 7.</summary>
    private const string Base = PolicyFiles.Minimal + "domains: [example.test, a.sub.example.test, strict.example.test, loose.example.test]\nspam:\n";

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
    public void A_domain_entry_for_a_domain_that_is_not_ours_is_an_error_at_its_key_with_a_suggestion() =>
        AssertError(Base + "  domains:\n    exmaple.test: {action: reject}\n", 8, 5,
            "spam.domains.exmaple.test: 'exmaple.test' is not one of our domains (domains: example.test, a.sub.example.test, strict.example.test, loose.example.test); spam settings apply to inbound mail only; did you mean 'example.test'?");

    [Fact]
    public void A_parent_entry_with_none_of_our_domains_below_it_is_an_error_at_its_key()
    {
        AssertError(Base + "  domains:\n    .example.tset: {action: reject}\n", 8, 5, "spam.domains..example.tset: none of our domains is below 'example.tset'");

        // ".example.test" stands for its subdomains only; example.test itself would not make it apply.
        _files.AssertError(PolicyFiles.Minimal + "domains: [example.test]\nspam:\n  domains:\n    .example.test: {action: reject}\n", 8, 5, "none of our domains is below 'example.test'");
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

    [Fact]
    public void Without_scanner_keys_nothing_is_scanned()
    {
        var spam = Valid(Base + "  action: tag\n").Spam;

        Assert.False(spam.ChecksAttachments);
        Assert.Null(spam.Default.Attachments);
        Assert.Null(spam.ClamAv);
        Assert.Null(spam.Rspamd);
    }

    [Fact]
    public void The_attachment_policy_is_read_and_domains_override_what_they_set()
    {
        var spam = Valid(Base +
            "  attachments:\n" +
            "    block_types: [executable, script, office-macro]\n" +
            "    block_extensions: [.exe, SCR, .js]\n" +
            "    encrypted_archives: reject\n" +
            "    archive_depth: 2\n" +
            "    max_expanded: 50MiB\n" +
            "    action: tag\n" +
            "    score: 8\n" +
            "    encrypted_score: 1.5\n" +
            "  domains:\n" +
            "    strict.example.test: {attachments: {action: reject, block_types: [executable, archive]}}\n" +
            "    loose.example.test: {threshold: 9}\n").Spam;

        Assert.True(spam.ChecksAttachments);
        var attachments = spam.Default.Attachments!;
        Assert.Equal(["executable", "script", "office-macro"], attachments.BlockTypes);
        Assert.Equal([".exe", ".scr", ".js"], attachments.BlockExtensions);
        Assert.Equal(AttachmentAction.Reject, attachments.EncryptedArchives);
        Assert.Equal(2, attachments.ArchiveDepth);
        Assert.Equal(50L * 1024 * 1024, attachments.MaxExpanded);
        Assert.Equal(AttachmentAction.Tag, attachments.Action);
        Assert.Equal(8, attachments.Score);
        Assert.Equal(1.5, attachments.EncryptedScore);

        var strict = spam.For("strict.example.test").Attachments!;
        Assert.Equal(AttachmentAction.Reject, strict.Action);
        Assert.Equal(["executable", "archive"], strict.BlockTypes);
        Assert.Equal([".exe", ".scr", ".js"], strict.BlockExtensions);
        Assert.Equal(2, strict.ArchiveDepth);
        Assert.Same(attachments, spam.For("loose.example.test").Attachments);
    }

    [Fact]
    public void Attachment_defaults_block_executables_reject_and_tag_encrypted_archives()
    {
        var attachments = Valid(Base + "  attachments: {}\n").Spam.Default.Attachments!;

        Assert.Equal(["executable"], attachments.BlockTypes);
        Assert.Empty(attachments.BlockExtensions);
        Assert.Equal(AttachmentAction.Reject, attachments.Action);
        Assert.Equal(AttachmentAction.Tag, attachments.EncryptedArchives);
        Assert.Equal(3, attachments.ArchiveDepth);
        Assert.Equal(100L * 1024 * 1024, attachments.MaxExpanded);
    }

    [Fact]
    public void An_unknown_file_type_is_refused_with_a_suggestion() =>
        AssertError(Base + "  attachments:\n    block_types: [exectuable]\n", 8, 19, "did you mean 'executable'?");

    [Fact]
    public void An_extension_with_a_path_in_it_is_refused() =>
        AssertError(Base + "  attachments:\n    block_extensions: [../x]\n", 8, 24, "is not a file name extension");

    [Fact]
    public void An_archive_depth_beyond_ten_is_refused() =>
        AssertError(Base + "  attachments:\n    archive_depth: 50\n", 8, 20, "spam.attachments.archive_depth");

    [Fact]
    public void The_scanners_are_read_with_their_failure_policies()
    {
        var spam = Valid(Base +
            "  clamav: {address: 127.0.0.1:3399, timeout: 20s, on_failure: accept, virus_action: quarantine, max_size: 10MiB}\n" +
            "  rspamd: {url: http://127.0.0.1:11333, timeout: 5s, weight: 0.5, max_score: 8, min_score: -1, on_failure: tempfail}\n").Spam;

        Assert.Equal(new HostEndpoint("127.0.0.1", 3399), spam.ClamAv!.Endpoint);
        Assert.Null(spam.ClamAv.SocketPath);
        Assert.Equal(TimeSpan.FromSeconds(20), spam.ClamAv.Timeout);
        Assert.Equal(ScannerFailureAction.Accept, spam.ClamAv.OnFailure);
        Assert.Equal(VirusAction.Quarantine, spam.ClamAv.VirusAction);
        Assert.Equal(10L * 1024 * 1024, spam.ClamAv.MaxSize);
        var rspamd = spam.Rspamd!;
        Assert.Equal(new Uri("http://127.0.0.1:11333/"), rspamd.Url);
        Assert.Equal(TimeSpan.FromSeconds(5), rspamd.Timeout);
        Assert.Equal(0.5, rspamd.Weight);
        Assert.Equal(8, rspamd.MaxScore);
        Assert.Equal(-1, rspamd.MinScore);
        Assert.Equal(ScannerFailureAction.TempFail, rspamd.OnFailure);
    }

    [Fact]
    public void Scanner_defaults_are_tempfail_for_clamav_and_accept_for_rspamd()
    {
        var spam = Valid(Base + "  clamav: {address: 'unix:/run/clamav/clamd.ctl'}\n  rspamd: {url: 'http://localhost:11333'}\n").Spam;

        Assert.Equal("/run/clamav/clamd.ctl", spam.ClamAv!.SocketPath);
        Assert.Null(spam.ClamAv.Endpoint);
        Assert.Equal(ScannerFailureAction.TempFail, spam.ClamAv.OnFailure);
        Assert.Equal(TimeSpan.FromSeconds(30), spam.ClamAv.Timeout);
        Assert.Equal(ScannerFailureAction.Accept, spam.Rspamd!.OnFailure);
        Assert.Equal(1.0, spam.Rspamd.Weight);
        Assert.Equal(10, spam.Rspamd.MaxScore);
        Assert.Equal(0, spam.Rspamd.MinScore);
    }

    [Fact]
    public void A_clamav_section_without_an_address_is_refused() =>
        AssertError(Base + "  clamav: {timeout: 10s}\n", 7, 11, "spam.clamav.address is required");

    [Fact]
    public void A_relative_socket_path_is_refused() =>
        AssertError(Base + "  clamav: {address: 'unix:clamd.ctl'}\n", 7, 21, "not an absolute socket path");

    [Fact]
    public void An_unknown_failure_action_names_the_choices() =>
        AssertError(Base + "  clamav: {address: 127.0.0.1, on_failure: drop}\n", 7, 44, "tempfail, accept");

    [Fact]
    public void An_unknown_virus_action_names_the_choices_and_delivery_is_not_one() =>
        AssertError(Base + "  clamav: {address: 127.0.0.1, virus_action: deliver}\n", 7, 46, "reject, quarantine");

    [Fact]
    public void An_rspamd_url_that_is_not_http_is_refused() =>
        AssertError(Base + "  rspamd: {url: 'ftp://127.0.0.1/'}\n", 7, 17, "is not an http:// or https:// URL");
}
