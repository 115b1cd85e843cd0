using System.Text;
using Gateway.Spam.External;

namespace Gateway.Spam.Tests.External;

/// <summary>What clamd and rspamd answer, read strictly: anything unexpected is an error, never a clean result.</summary>
public sealed class ScannerAnswerTests
{
    [Theory]
    [InlineData("stream: OK", ClamdStatus.Clean, null)]
    [InlineData("stream: Eicar-Signature FOUND", ClamdStatus.Infected, "Eicar-Signature")]
    [InlineData("stream: Win.Test.EICAR_HDB-1 FOUND", ClamdStatus.Infected, "Win.Test.EICAR_HDB-1")]
    [InlineData("INSTREAM size limit exceeded. ERROR", ClamdStatus.Error, null)]
    [InlineData("stream: Can't allocate memory ERROR", ClamdStatus.Error, null)]
    [InlineData("UNKNOWN COMMAND", ClamdStatus.Error, null)]
    [InlineData("", ClamdStatus.Error, null)]
    [InlineData("stream: OKAY", ClamdStatus.Error, null)]
    public void Clamd_replies_are_clean_infected_or_errors(string reply, ClamdStatus status, string? signature)
    {
        var result = ClamdClient.Parse(reply);

        Assert.Equal(status, result.Status);
        Assert.Equal(signature, result.Signature);
    }

    [Fact]
    public void An_rspamd_answer_gives_score_action_and_symbols()
    {
        var json = """{"is_skipped":false,"score":6.5,"required_score":15.0,"action":"add header","symbols":{"A":{"score":6.5},"B":{"score":0}},"messages":{}}""";

        var result = RspamdClient.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(6.5, result.Score);
        Assert.Equal(15.0, result.RequiredScore);
        Assert.Equal("add header", result.Action);
        Assert.Equal(["A", "B"], result.Symbols);
        Assert.False(result.Skipped);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"action":"reject"}""")]
    [InlineData("""{"score":"high","action":"reject"}""")]
    [InlineData("""{"score":1}""")]
    [InlineData("""{"score":1e400,"action":"no action"}""")]
    public void An_answer_without_a_number_and_an_action_is_refused(string json)
    {
        Assert.Throws<FormatException>(() => RspamdClient.Parse(Encoding.UTF8.GetBytes(json)));
    }
}
