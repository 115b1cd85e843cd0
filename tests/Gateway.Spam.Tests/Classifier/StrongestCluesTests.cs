using Gateway.Spam.Classifier;

namespace Gateway.Spam.Tests.Classifier;

public sealed class StrongestCluesTests
{
    [Theory]
    [InlineData(151, 150, 1)]
    [InlineData(400, 150, 2)]
    [InlineData(5_000, 150, 3)]
    [InlineData(300, 1, 4)]
    public void The_front_holds_the_clues_farthest_from_one_half(int length, int count, int seed)
    {
        var random = new Random(seed);
        // Rounded to few distinct values so that many clues tie in strength (p and 1 - p are equally strong).
        var clues = Enumerable.Range(0, length).Select(_ => Math.Round(random.NextDouble(), 2)).ToArray();
        var strengths = clues.Select(p => Math.Abs(p - 0.5)).OrderDescending().ToArray();

        var moved = (double[])clues.Clone();
        StrongestClues.MoveToFront(moved, count);

        Assert.Equal(clues.Order(), moved.Order());
        Assert.Equal(strengths.Take(count), moved.Take(count).Select(p => Math.Abs(p - 0.5)).OrderDescending());
    }

    [Fact]
    public void All_equally_strong_clues_are_left_as_they_are()
    {
        var clues = Enumerable.Repeat(0.9, 200).Concat(Enumerable.Repeat(0.1, 200)).ToArray();

        StrongestClues.MoveToFront(clues, 150);

        Assert.Equal(200, clues.Count(p => p == 0.9));
    }
}
