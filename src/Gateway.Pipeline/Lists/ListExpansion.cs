namespace Gateway.Pipeline.Lists;

/// <summary>
/// What expanding one encrypted list's copy gave: for <see cref="ListExpansionStatus.Expanded"/> the new message
/// (CRLF, encrypted for <see cref="Recipients"/>) and the members it is for; in every case the members who get
/// nothing, and for failures a reason for the sender (<see cref="Detail"/>, reply text without the code).
/// </summary>
public sealed record ListExpansion(
    ListExpansionStatus Status,
    ReadOnlyMemory<byte> Content,
    IReadOnlyList<ListMember> Recipients,
    IReadOnlyList<ListMemberRefusal> Refused,
    string? Detail = null);
