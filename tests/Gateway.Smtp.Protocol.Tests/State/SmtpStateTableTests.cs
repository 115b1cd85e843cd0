namespace Gateway.Smtp.Protocol.Tests;

public sealed class SmtpStateTableTests
{
    // Columns: Connected, Ready, MailGiven, RecipientGiven, Chunking.
    // "ok" allowed; otherwise the expected reply text of a 503 5.5.1.
    private const string Ok = "ok";
    private const string Helo = "Send HELO/EHLO first";
    private const string Mail = "Need MAIL command";
    private const string Rcpt = "Need RCPT command";
    private const string Nested = "Sender already specified";
    private const string InTx = "Not permitted during a mail transaction";
    private const string Bdat = "BDAT in progress";

    public static TheoryData<SmtpVerb, string[]> Expected => new()
    {
        { SmtpVerb.Noop, [Ok, Ok, Ok, Ok, Ok] },
        { SmtpVerb.Quit, [Ok, Ok, Ok, Ok, Ok] },
        { SmtpVerb.Rset, [Ok, Ok, Ok, Ok, Ok] },
        { SmtpVerb.Help, [Ok, Ok, Ok, Ok, Bdat] },
        { SmtpVerb.Vrfy, [Ok, Ok, Ok, Ok, Bdat] },
        { SmtpVerb.Expn, [Ok, Ok, Ok, Ok, Bdat] },
        { SmtpVerb.Helo, [Ok, Ok, Ok, Ok, Bdat] },
        { SmtpVerb.Ehlo, [Ok, Ok, Ok, Ok, Bdat] },
        { SmtpVerb.Mail, [Helo, Ok, Nested, Nested, Bdat] },
        { SmtpVerb.Rcpt, [Helo, Mail, Ok, Ok, Bdat] },
        { SmtpVerb.Data, [Helo, Mail, Rcpt, Ok, Bdat] },
        { SmtpVerb.Bdat, [Helo, Mail, Rcpt, Ok, Ok] },
        { SmtpVerb.StartTls, [Helo, Ok, InTx, InTx, Bdat] },
        { SmtpVerb.Auth, [Helo, Ok, InTx, InTx, Bdat] },
        { SmtpVerb.Unknown, [Ok, Ok, Ok, Ok, Ok] },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Every_state_and_verb(SmtpVerb verb, string[] expected)
    {
        var states = Enum.GetValues<SmtpState>();
        Assert.Equal(states.Length, expected.Length);
        foreach (var state in states)
        {
            var reply = SmtpStateTable.Check(state, verb);
            var want = expected[(int)state];
            if (want == Ok)
            {
                Assert.Null(reply);
            }
            else
            {
                Assert.NotNull(reply);
                Assert.Equal(503, reply.Code);
                Assert.Equal("5.5.1", reply.EnhancedCode);
                Assert.Equal(want, reply.Lines[0]);
            }
        }
    }

    [Fact]
    public void Every_verb_has_a_row()
    {
        var covered = Expected.Select(row => (SmtpVerb)row[0]).ToHashSet();

        Assert.Equal(Enum.GetValues<SmtpVerb>().ToHashSet(), covered);
    }

    [Fact]
    public void Out_of_range_state_fails_closed()
    {
        Assert.Equal(SmtpReplies.BadSequence, SmtpStateTable.Check((SmtpState)99, SmtpVerb.Mail));
    }
}
