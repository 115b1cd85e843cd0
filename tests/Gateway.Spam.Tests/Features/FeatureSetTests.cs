using Gateway.Spam.Features;

namespace Gateway.Spam.Tests.Features;

public sealed class FeatureSetTests
{
    [Fact]
    public void Keeps_each_id_once_in_the_order_first_added()
    {
        var set = new FeatureSet();

        Assert.True(set.Add(7));
        Assert.True(set.Add(3));
        Assert.False(set.Add(7));
        Assert.True(set.Add(0));
        Assert.False(set.Add(0));

        Assert.Equal([7u, 3u, 0u], set.ToArray());
        Assert.Equal(3, set.Count);
        Assert.True(set.Contains(3));
        Assert.False(set.Contains(4));
    }

    [Fact]
    public void Matches_a_hash_set_through_growth_and_reuse()
    {
        var random = new Random(13);
        var set = new FeatureSet();
        for (var round = 0; round < 3; round++)
        {
            var expected = new List<uint>();
            var seen = new HashSet<uint>();
            // Ids drawn from a small range repeat often, as a message's words do; large rounds force the set to grow.
            var range = round == 1 ? 100 : 50_000;
            for (var i = 0; i < 20_000; i++)
            {
                var id = (uint)random.Next(range) * 2_654_435_761u;
                Assert.Equal(seen.Add(id), set.Add(id));
                if (expected.Count < seen.Count)
                {
                    expected.Add(id);
                }
            }

            Assert.Equal(expected, set.ToArray());
            Assert.All(expected, id => Assert.True(set.Contains(id)));
            set.Clear();
            Assert.Empty(set);
            Assert.All(expected, id => Assert.False(set.Contains(id)));
        }
    }
}
