using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol.Tests;

public sealed class ServerCapabilitiesTests
{
    [Fact]
    public void Keywords_after_the_first_line_are_read_case_insensitively()
    {
        var reply = new SmtpReply(250, null, "mx.example greets gw", "pipelining", "CHUNKING", "8BITMIME", "SMTPUTF8", "DSN", "STARTTLS", "ENHANCEDSTATUSCODES", "SIZE 10240000", "AUTH PLAIN LOGIN");

        var capabilities = ServerCapabilities.FromEhloReply(reply);

        Assert.Equal(
            new ServerCapabilities
            {
                Pipelining = true,
                Chunking = true,
                EightBitMime = true,
                SmtpUtf8 = true,
                Dsn = true,
                StartTls = true,
                EnhancedStatusCodes = true,
                Size = true,
                MaxSize = 10240000,
            },
            capabilities);
    }

    [Fact]
    public void The_greeting_line_is_never_a_keyword_and_empty_lines_are_skipped()
    {
        // smtp-sink ends its EHLO reply with an empty "250 " line.
        var capabilities = ServerCapabilities.FromEhloReply(new SmtpReply(250, null, "PIPELINING", "8BITMIME", string.Empty));

        Assert.False(capabilities.Pipelining);
        Assert.True(capabilities.EightBitMime);
    }

    [Theory]
    [InlineData("SIZE", 0)]
    [InlineData("SIZE 0", 0)]
    [InlineData("SIZE 52428800", 52428800)]
    [InlineData("SIZE lots", 0)]
    [InlineData("SIZE 123456789012345678901234", 0)]
    public void Size_without_a_usable_limit_is_offered_without_one(string line, long max)
    {
        var capabilities = ServerCapabilities.FromEhloReply(new SmtpReply(250, null, "mx", line));

        Assert.True(capabilities.Size);
        Assert.Equal(max, capabilities.MaxSize);
    }

    [Fact]
    public void Helo_means_no_extensions()
    {
        Assert.Equal(new ServerCapabilities(), ServerCapabilities.None);
    }
}
