using Gateway.Abstractions;
using Gateway.Pipeline.Flow;
using Gateway.Pipeline.Limits;
using Gateway.Pipeline.Session;
using Gateway.Policy;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Pipeline.Tests.Limits.LimitsTestPolicy;

namespace Gateway.Pipeline.Tests.Limits;

/// <summary>The session handler asks the limits at connect, MAIL FROM and RCPT, and the greylist only for inbound recipients.</summary>
public sealed class HandlerLimitsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly string _directory = TestDirectories.CreateTemp("limits");
    private readonly LimitsState _state;

    public HandlerLimitsTests()
    {
        _state = new LimitsState(new RateLimiter(_time), Greylist.Open(_directory, _time, NullLogger.Instance, TimeSpan.Zero), _time);
    }

    public void Dispose()
    {
        _state.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private PolicySessionHandler Handler(GatewayPolicy policy) =>
        new(new MessagePipeline(policy, null, NullLogger.Instance), new WriterAcceptor(), NullLogger.Instance)
        {
            Limits = SessionLimits.Create(policy, _state, NullLogger.Instance),
        };

    [Fact]
    public async Task Connect_answers_421_over_the_connection_limit()
    {
        var policy = With(new RateLimitsPolicy { PerClient = new RateLimitSet { Connections = 1 } });
        Assert.True((await Handler(policy).OnConnectAsync(Facts("203.0.113.5"), default)).IsContinue);
        var verdict = await Handler(policy).OnConnectAsync(Facts("203.0.113.5"), default);
        Assert.Equal(VerdictAction.Disconnect, verdict.Action);
        Assert.Equal(421, verdict.Reply!.Code);

        // A trusted network is not counted.
        Assert.True((await Handler(policy).OnConnectAsync(Facts("10.0.0.5"), default)).IsContinue);
        Assert.True((await Handler(policy).OnConnectAsync(Facts("10.0.0.5"), default)).IsContinue);
    }

    [Fact]
    public async Task Mail_from_answers_450_and_rcpt_452_over_their_limits()
    {
        var handler = Handler(With(new RateLimitsPolicy { PerClient = new RateLimitSet { Messages = 1, Recipients = 2 } }));
        var facts = Facts("203.0.113.5");
        Assert.True((await handler.OnMailFromAsync(facts, null, MailParameters.None, default)).IsContinue);
        Assert.Equal(450, (await handler.OnMailFromAsync(facts, null, MailParameters.None, default)).Reply!.Code);

        var to = new Mailbox("u", "example.test");
        Assert.True((await handler.OnRecipientAsync(facts, null, to, RecipientParameters.None, default)).Verdict.IsContinue);

        // A refused recipient counts too (harvesting uses up the allowance).
        Assert.Equal(554, (await handler.OnRecipientAsync(facts, null, new Mailbox("u", "elsewhere.example"), RecipientParameters.None, default)).Verdict.Reply!.Code);
        var over = await handler.OnRecipientAsync(facts, null, to, RecipientParameters.None, default);
        Assert.Equal((VerdictAction.TempFail, 452, "4.5.3"), (over.Verdict.Action, over.Verdict.Reply!.Code, over.Verdict.Reply.EnhancedCode));
    }

    [Fact]
    public async Task Only_inbound_recipients_that_passed_the_other_checks_are_greylisted()
    {
        var handler = Handler(With(greylisting: new GreylistingPolicy { Enabled = true }));
        var facts = Facts("203.0.113.5");
        var from = new Mailbox("a", "sender.example");

        Assert.Equal(554, (await handler.OnRecipientAsync(facts, from, new Mailbox("u", "elsewhere.example"), RecipientParameters.None, default)).Verdict.Reply!.Code);
        var greylisted = await handler.OnRecipientAsync(facts, from, new Mailbox("u", "example.test"), RecipientParameters.None, default);
        Assert.Equal((450, "4.7.1"), (greylisted.Verdict.Reply!.Code, greylisted.Verdict.Reply.EnhancedCode));

        _time.Advance(TimeSpan.FromMinutes(5));
        var retried = await handler.OnRecipientAsync(facts, from, new Mailbox("u", "example.test"), RecipientParameters.None, default);
        Assert.True(retried.Verdict.IsContinue);
        Assert.Equal(MailDirection.Inbound, retried.Direction);
    }
}
