using Gateway.Abstractions;
using Gateway.Pipeline.Steps.Spam;
using Gateway.Policy;

namespace Gateway.Pipeline.Tests.Spam;

public sealed class SpamDecisionTests
{
    private static readonly SpamPolicy Policy = new()
    {
        Enabled = true,
        Default = new SpamDomainPolicy { Threshold = 5, Action = SpamAction.Tag, SubjectPrefix = "[SPAM]" },
        Domains = new Dictionary<string, SpamDomainPolicy>(StringComparer.Ordinal)
        {
            ["strict.test"] = new() { Threshold = 8, Action = SpamAction.Reject },
            ["lenient.test"] = new() { Threshold = 3, Action = SpamAction.Deliver },
        },
    };

    private static EnvelopeRecipient[] To(params string[] domains) =>
        [.. domains.Select(d => new EnvelopeRecipient(new Mailbox("bob", d), RecipientParameters.None, MailDirection.Inbound))];

    [Fact]
    public void Below_every_threshold_the_message_is_tagged_as_ham()
    {
        Assert.Equal(new SpamDecision(SpamAction.Tag, 5, false, null), SpamDecision.For(Policy, To("example.test", "strict.test"), 4.9));
    }

    [Fact]
    public void A_domain_that_rejects_decides_once_its_threshold_is_reached()
    {
        Assert.Equal(new SpamDecision(SpamAction.Tag, 5, true, "[SPAM]"), SpamDecision.For(Policy, To("example.test", "strict.test"), 7));
        Assert.Equal(new SpamDecision(SpamAction.Reject, 8, true, null), SpamDecision.For(Policy, To("example.test", "strict.test"), 8));
    }

    [Fact]
    public void A_domain_that_only_delivers_adds_no_header_even_above_its_threshold()
    {
        Assert.Equal(new SpamDecision(SpamAction.Deliver, 3, true, null), SpamDecision.For(Policy, To("lenient.test"), 4));
    }

    [Fact]
    public void With_a_tagging_domain_beside_one_that_delivers_the_message_is_tagged()
    {
        Assert.Equal(new SpamDecision(SpamAction.Tag, 5, true, "[SPAM]"), SpamDecision.For(Policy, To("lenient.test", "example.test"), 6));
    }

    [Fact]
    public void A_quarantine_threshold_above_the_tag_threshold_tags_first_and_quarantines_from_it_without_a_subject_prefix()
    {
        var policy = Policy with { Default = Policy.Default with { QuarantineThreshold = 10 } };

        Assert.Equal(new SpamDecision(SpamAction.Tag, 5, true, "[SPAM]"), SpamDecision.For(policy, To("example.test"), 9.9));
        Assert.Equal(new SpamDecision(SpamAction.Quarantine, 10, true, null), SpamDecision.For(policy, To("example.test"), 10));
    }

    [Fact]
    public void Below_a_reject_threshold_the_band_from_the_quarantine_threshold_is_quarantined()
    {
        var policy = Policy with { Default = new SpamDomainPolicy { Threshold = 15, Action = SpamAction.Reject, QuarantineThreshold = 8 } };

        Assert.Equal(new SpamDecision(SpamAction.Tag, 15, false, null), SpamDecision.For(policy, To("example.test"), 7.9));
        Assert.Equal(new SpamDecision(SpamAction.Quarantine, 8, true, null), SpamDecision.For(policy, To("example.test"), 8));
        Assert.Equal(new SpamDecision(SpamAction.Reject, 15, true, null), SpamDecision.For(policy, To("example.test"), 15));
    }

    [Fact]
    public void A_domain_that_quarantines_wins_over_one_that_tags_and_yields_to_one_that_rejects()
    {
        var policy = Policy with
        {
            Domains = new Dictionary<string, SpamDomainPolicy>(Policy.Domains, StringComparer.Ordinal)
            {
                ["careful.test"] = new() { Threshold = 6, Action = SpamAction.Quarantine },
            },
        };

        Assert.Equal(new SpamDecision(SpamAction.Tag, 6, false, null), SpamDecision.For(policy, To("careful.test"), 4));
        Assert.Equal(new SpamDecision(SpamAction.Quarantine, 6, true, null), SpamDecision.For(policy, To("example.test", "careful.test"), 7));
        Assert.Equal(new SpamDecision(SpamAction.Reject, 8, true, null), SpamDecision.For(policy, To("careful.test", "strict.test"), 9));
    }
}
