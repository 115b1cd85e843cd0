using System.Buffers;
using System.Text;
using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol.Tests;

public sealed class ServerReplyReaderTests
{
    private static (List<(ServerReplyStatus Status, SmtpReply? Reply)> Results, string Remainder) ReadAll(ServerReplyReader reader, IEnumerable<byte[]> chunks)
    {
        var results = new List<(ServerReplyStatus, SmtpReply?)>();
        byte[] pending = [];
        foreach (var chunk in chunks)
        {
            var buffer = Segments.Create(pending, chunk);
            ServerReplyStatus status;
            while ((status = reader.TryRead(ref buffer, out var reply)) != ServerReplyStatus.Incomplete)
            {
                results.Add((status, reply));
                if (status == ServerReplyStatus.Malformed)
                {
                    break;
                }
            }

            pending = buffer.ToArray();
        }

        return (results, Encoding.UTF8.GetString(pending));
    }

    /// <summary>Reads the input split at every position and one octet at a time; every run must agree.</summary>
    private static (List<(ServerReplyStatus Status, SmtpReply? Reply)> Results, string Remainder) AtEverySplit(string input, int maxLine = SmtpDefaults.ReplyLineLength, int maxLines = SmtpDefaults.ReplyLines)
    {
        var bytes = Encoding.UTF8.GetBytes(input);
        (List<(ServerReplyStatus, SmtpReply?)> Results, string Remainder)? first = null;
        foreach (var split in Segments.Splits(bytes))
        {
            var run = ReadAll(new ServerReplyReader(maxLine, maxLines), split);
            if (first is null)
            {
                first = run;
                continue;
            }

            Assert.Equal(first.Value.Remainder, run.Remainder);
            Assert.Equal(first.Value.Results.Count, run.Results.Count);
            for (var i = 0; i < run.Results.Count; i++)
            {
                Assert.Equal(first.Value.Results[i].Item1, run.Results[i].Item1);
                Assert.Equal(first.Value.Results[i].Item2?.ToString(), run.Results[i].Item2?.ToString());
            }
        }

        return first!.Value;
    }

    private static SmtpReply Single(string input)
    {
        var (results, rest) = AtEverySplit(input);
        Assert.Equal(string.Empty, rest);
        var (status, reply) = Assert.Single(results);
        Assert.Equal(ServerReplyStatus.Complete, status);
        return reply!;
    }

    [Fact]
    public void A_single_line_reply_with_an_enhanced_code()
    {
        var reply = Single("550 5.1.1 No such user\r\n");

        Assert.Equal(550, reply.Code);
        Assert.Equal("5.1.1", reply.EnhancedCode);
        Assert.Equal(["No such user"], reply.Lines);
    }

    [Fact]
    public void A_multi_line_reply_ends_at_the_line_with_a_space_and_each_line_loses_its_enhanced_code()
    {
        var reply = Single("451-4.7.1 Greylisted,\r\n451-4.7.1 please try\r\n451 4.7.1 again later\r\n");

        Assert.Equal(451, reply.Code);
        Assert.Equal("4.7.1", reply.EnhancedCode);
        Assert.Equal(["Greylisted,", "please try", "again later"], reply.Lines);
    }

    [Fact]
    public void Replies_follow_each_other_and_an_incomplete_one_is_left_in_the_buffer()
    {
        var (results, rest) = AtEverySplit("250 2.1.0 Ok\r\n250-2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data\r\n250-pending");

        Assert.Equal([ServerReplyStatus.Complete, ServerReplyStatus.Complete, ServerReplyStatus.Complete], results.Select(r => r.Status));
        Assert.Equal([250, 250, 354], results.Select(r => r.Reply!.Code));
        Assert.Null(results[2].Reply!.EnhancedCode);
        Assert.Equal("250-pending", rest);
    }

    [Theory]
    [InlineData("250\r\n", 250, "")]
    [InlineData("250 \r\n", 250, "")]
    [InlineData("221 2.0.0\r\n", 221, "")]
    [InlineData("220 mx.example ESMTP\n", 220, "mx.example ESMTP")]
    public void Bare_codes_empty_texts_and_bare_lf_are_read(string input, int code, string text)
    {
        var reply = Single(input);

        Assert.Equal(code, reply.Code);
        Assert.Equal([text], reply.Lines);
    }

    [Theory]
    [InlineData("550 4.1.1 class does not match\r\n")]
    [InlineData("550 5.1 too short\r\n")]
    [InlineData("550 5.1.1234 detail too long\r\n")]
    [InlineData("550 5.1.1x no space after\r\n")]
    public void An_enhanced_code_that_does_not_fit_stays_in_the_text(string input)
    {
        var reply = Single(input);

        Assert.Null(reply.EnhancedCode);
        Assert.Equal(input[4..^2], reply.Lines[0]);
    }

    [Fact]
    public void The_last_line_gives_the_code_when_lines_disagree()
    {
        var reply = Single("250-first\r\n550 5.0.0 last\r\n");

        Assert.Equal(550, reply.Code);

        // The enhanced code is read from the first line only (RFC 2034 4: every line carries the same one).
        Assert.Null(reply.EnhancedCode);
        Assert.Equal(["first", "5.0.0 last"], reply.Lines);
    }

    [Theory]
    [InlineData("hello\r\n")]
    [InlineData("25\r\n")]
    [InlineData("2500 x\r\n")]
    [InlineData("150 too low\r\n")]
    [InlineData("650 too high\r\n")]
    [InlineData("25x text\r\n")]
    public void A_line_that_is_not_a_reply_is_malformed(string input)
    {
        var (results, _) = AtEverySplit(input);

        Assert.Equal(ServerReplyStatus.Malformed, Assert.Single(results).Status);
    }

    [Fact]
    public void An_overlong_line_is_cut_to_the_limit_and_the_next_reply_is_read_in_step()
    {
        var longText = new string('x', 100);
        var (results, rest) = AtEverySplit($"550-{longText}\r\n550 end\r\n250 next\r\n", maxLine: 20);

        Assert.Equal(string.Empty, rest);
        Assert.Equal(2, results.Count);
        Assert.Equal([new string('x', 14), "end"], results[0].Reply!.Lines);
        Assert.Equal(550, results[0].Reply!.Code);
        Assert.Equal(["next"], results[1].Reply!.Lines);
    }

    [Fact]
    public void An_overlong_last_line_still_ends_its_reply()
    {
        var (results, rest) = AtEverySplit("250 " + new string('y', 50) + "\r\n220 after\r\n", maxLine: 12);

        Assert.Equal(string.Empty, rest);
        Assert.Equal(["yyyyyy"], results[0].Reply!.Lines);
        Assert.Equal(220, results[1].Reply!.Code);
    }

    [Fact]
    public void An_endless_line_never_holds_more_than_the_limit()
    {
        var reader = new ServerReplyReader(maxLineLength: 32);
        var buffer = Segments.Create(Encoding.ASCII.GetBytes("250-" + new string('z', 1000)));

        Assert.Equal(ServerReplyStatus.Incomplete, reader.TryRead(ref buffer, out _));

        // Everything past the kept start was consumed, not left for the caller to buffer.
        Assert.Equal(0, buffer.Length);
        buffer = Segments.Create(Encoding.ASCII.GetBytes(new string('z', 5000)));
        Assert.Equal(ServerReplyStatus.Incomplete, reader.TryRead(ref buffer, out _));
        Assert.Equal(0, buffer.Length);
        buffer = Segments.Create(Encoding.ASCII.GetBytes("zz\r\n250 done\r\n"));
        Assert.Equal(ServerReplyStatus.Complete, reader.TryRead(ref buffer, out var reply));
        Assert.Equal(2, reply!.Lines.Count);
        Assert.Equal("done", reply.Lines[1]);
    }

    [Fact]
    public void Lines_beyond_the_limit_are_dropped_but_the_reply_ends_where_it_ends()
    {
        var input = string.Concat(Enumerable.Range(0, 10).Select(i => $"250-line{i}\r\n")) + "250 last\r\n221 bye\r\n";
        var (results, _) = AtEverySplit(input, maxLines: 3);

        Assert.Equal(["line0", "line1", "line2"], results[0].Reply!.Lines);
        Assert.Equal(221, results[1].Reply!.Code);
    }

    [Fact]
    public void Control_characters_in_the_text_are_replaced_and_utf8_is_kept()
    {
        var reply = Single("550 5.7.1 bad\u0007bell \u00fcber\ttab\r\n");

        Assert.Equal(["bad?bell \u00fcber?tab"], reply.Lines);
    }
}
