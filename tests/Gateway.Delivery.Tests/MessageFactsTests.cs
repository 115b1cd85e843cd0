using System.Text;
using Gateway.Delivery.Client;

namespace Gateway.Delivery.Tests;

/// <summary>
/// What one read of the stored bytes decides about sending them, whether the stream tells its length (the spool's
/// does, and the block is then sized to the message) or not (read in fixed blocks): the same facts either way.
/// </summary>
public sealed class MessageFactsTests
{
    public static TheoryData<string, long, bool, bool> Messages => new()
    {
        { "Subject: a\r\n\r\nbody\r\n", 20, false, true },
        { "Subject: a\r\n\r\nbody", 18, false, false },
        { "Subject: a\r\n\r\nbody\n", 19, false, false },
        { "Subject: a\r\n\r\nb\u00e9\r\n", 19, true, true },
        { "\n", 1, false, false },
        { "", 0, false, false },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task A_seekable_and_a_forward_only_stream_give_the_same_facts(string text, long length, bool eightBit, bool endsWithCrlf)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var expected = new MessageFacts(length, eightBit, endsWithCrlf);

        Assert.Equal(expected, await MessageFacts.ReadAsync(new MemoryStream(bytes), default));
        Assert.Equal(expected, await MessageFacts.ReadAsync(new ForwardOnly(bytes, chunk: 3), default));
    }

    [Fact]
    public async Task A_stream_read_from_its_middle_counts_from_there_and_a_message_longer_than_a_block_is_read_whole()
    {
        var body = new byte[200_000];
        Array.Fill(body, (byte)'a');
        body[150_000] = 0xC3;
        body[^2] = (byte)'\r';
        body[^1] = (byte)'\n';
        var stream = new MemoryStream([.. "skipped"u8, .. body]) { Position = 7 };

        var facts = await MessageFacts.ReadAsync(stream, default);

        Assert.Equal(new MessageFacts(200_000, true, true), facts);
    }

    [Fact]
    public async Task A_final_crlf_split_between_two_reads_is_still_seen()
    {
        var bytes = "Subject: a\r\n\r\nbody\r\n"u8.ToArray();

        // Each read returns what the stream gives; the CR ends one read and the LF starts the next.
        var facts = await MessageFacts.ReadAsync(new ForwardOnly(bytes, chunk: bytes.Length - 1), default);

        Assert.True(facts.EndsWithCrlf);
        Assert.False(facts.NeedsFinalCrlf);
    }

    /// <summary>A stream without a length that hands out at most <paramref name="chunk"/> bytes per read.</summary>
    private sealed class ForwardOnly(byte[] bytes, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, chunk), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
