using Microsoft.Extensions.Time.Testing;

namespace Gateway.Queue.Tests.Store;

public sealed class QueueIdTests
{
    [Fact]
    public void Ids_are_16_base32hex_characters_unique_and_sorted_by_time()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
        var ids = new List<string>();
        for (var i = 0; i < 2000; i++)
        {
            ids.Add(QueueId.New(time));
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.All(ids, id => Assert.True(QueueId.IsValid(id), id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Ids_in_the_same_millisecond_differ()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
        var ids = Enumerable.Range(0, 1000).Select(_ => QueueId.New(time)).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(ids[0][..9], id[..9]));
    }

    [Fact]
    public void The_timestamp_comes_back_out_of_the_id()
    {
        var at = new DateTimeOffset(2026, 11, 23, 17, 5, 9, 123, TimeSpan.Zero);
        var time = new FakeTimeProvider(at);

        Assert.Equal(at, QueueId.TimestampOf(QueueId.New(time)));
        Assert.Null(QueueId.TimestampOf("../etc"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0123456789abcde")]
    [InlineData("0123456789abcdef0")]
    [InlineData("0123456789abcdeW")]
    [InlineData("0123456789abcdew")]
    [InlineData("../../etc/passwd")]
    [InlineData("0123456789abcd/f")]
    public void Malformed_ids_are_invalid(string? id) => Assert.False(QueueId.IsValid(id));
}
