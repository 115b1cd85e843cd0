using System.Buffers;

namespace Gateway.Smtp.Protocol;

/// <summary>One outcome of <see cref="CommandLineReader.TryRead"/>; <paramref name="Line"/> never includes the line end.</summary>
public readonly record struct LineResult(LineStatus Status, ReadOnlySequence<byte> Line);
