using System.Buffers;

namespace Gateway.Smtp.Protocol.Tests;

/// <summary>Builds multi-segment sequences so parsers meet data split the way a socket splits it.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Create(params byte[][] parts)
    {
        var nonEmpty = parts.Where(p => p.Length > 0).ToArray();
        if (nonEmpty.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(nonEmpty[0], 0);
        var last = first;
        foreach (var part in nonEmpty.Skip(1))
        {
            last = last.Append(part);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Every way to cut the input in two, plus one octet per chunk.</summary>
    public static IEnumerable<byte[][]> Splits(byte[] input)
    {
        for (var k = 0; k <= input.Length; k++)
        {
            yield return [input[..k], input[k..]];
        }

        yield return input.Select(b => new[] { b }).ToArray();
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
