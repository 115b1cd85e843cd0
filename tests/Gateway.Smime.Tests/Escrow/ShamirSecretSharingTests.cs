using System.Security.Cryptography;
using Gateway.Smime.Escrow;

namespace Gateway.Smime.Tests.Escrow;

public sealed class ShamirSecretSharingTests
{
    [Fact]
    public void Every_subset_of_threshold_shares_recombines_the_secret_for_small_splits()
    {
        for (var shareCount = 2; shareCount <= 6; shareCount++)
        {
            for (var threshold = 2; threshold <= shareCount; threshold++)
            {
                for (var round = 0; round < 8; round++)
                {
                    var secret = RandomNumberGenerator.GetBytes(32);
                    var shares = ShamirSecretSharing.Split(secret, threshold, shareCount);
                    Assert.Equal(shareCount, shares.Count);
                    foreach (var subset in Subsets(shares, threshold))
                    {
                        Assert.Equal(secret, ShamirSecretSharing.Combine(subset));
                        // Order does not matter either.
                        Assert.Equal(secret, ShamirSecretSharing.Combine([.. subset.Reverse()]));
                    }
                }
            }
        }
    }

    [Fact]
    public void Threshold_minus_one_shares_do_not_interpolate_to_the_secret()
    {
        for (var round = 0; round < 200; round++)
        {
            var secret = RandomNumberGenerator.GetBytes(32);
            var threshold = 2 + round % 4;
            var shares = ShamirSecretSharing.Split(secret, threshold, 6);
            foreach (var subset in Subsets(shares, threshold - 1))
            {
                // Bypassing Combine's count check on purpose: the maths itself must not yield the secret.
                Assert.NotEqual(secret, ShamirSecretSharing.Interpolate(subset, 0));
            }
        }
    }

    [Fact]
    public void Combine_refuses_fewer_shares_than_the_threshold()
    {
        var shares = ShamirSecretSharing.Split(RandomNumberGenerator.GetBytes(32), 3, 5);
        var error = Assert.Throws<ShareException>(() => ShamirSecretSharing.Combine([shares[0], shares[3]]));
        Assert.Equal("2 shares given, 3 needed", error.Message);
    }

    [Fact]
    public void A_share_given_twice_is_named()
    {
        var shares = ShamirSecretSharing.Split(RandomNumberGenerator.GetBytes(32), 2, 3);
        var again = ShamirShare.Parse(shares[1].Encode());
        var error = Assert.Throws<ShareException>(() => ShamirSecretSharing.Combine([shares[1], again]));
        Assert.Equal("share 2 was given twice", error.Message);
    }

    [Fact]
    public void Shares_of_another_split_are_refused()
    {
        var first = ShamirSecretSharing.Split(RandomNumberGenerator.GetBytes(32), 2, 3);
        var second = ShamirSecretSharing.Split(RandomNumberGenerator.GetBytes(32), 2, 3);
        var error = Assert.Throws<ShareException>(() => ShamirSecretSharing.Combine([first[0], second[1]]));
        Assert.Contains($"belongs to set {second[1].SetId}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_different_shares_with_one_index_are_refused()
    {
        var shares = ShamirSecretSharing.Split(RandomNumberGenerator.GetBytes(32), 2, 3);
        var forged = new ShamirShare(shares[0].SetId, 2, shares[0].Index, RandomNumberGenerator.GetBytes(32));
        var error = Assert.Throws<ShareException>(() => ShamirSecretSharing.Combine([shares[0], forged]));
        Assert.Equal("two different shares claim index 1", error.Message);
    }

    [Fact]
    public void A_share_beyond_the_threshold_that_does_not_fit_the_others_is_named()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var shares = ShamirSecretSharing.Split(secret, 2, 4);
        var bad = shares[3].Value.ToArray();
        bad[5] ^= 1;
        var error = Assert.Throws<ShareException>(() => ShamirSecretSharing.Combine([shares[0], shares[1], new ShamirShare(shares[3].SetId, 2, 4, bad)]));
        Assert.Equal("share 4 is inconsistent with the others (corrupted, or from another split)", error.Message);
        Assert.Equal(secret, ShamirSecretSharing.Combine([shares[0], shares[1], shares[3]]));
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(4, 3)]
    [InlineData(2, 256)]
    public void Impossible_parameters_are_refused(int threshold, int shareCount)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ShamirSecretSharing.Split(new byte[32], threshold, shareCount));
    }

    [Fact]
    public void The_largest_split_works()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var shares = ShamirSecretSharing.Split(secret, 255, 255);
        Assert.Equal(secret, ShamirSecretSharing.Combine([.. shares.Reverse()]));
        Assert.Throws<ShareException>(() => ShamirSecretSharing.Combine([.. shares.Skip(1)]));
    }

    [Fact]
    public void Share_values_of_one_secret_are_spread_over_the_whole_field()
    {
        // With the secret fixed at zero, share 1's first byte is the sum of random coefficients: every
        // value should show up in a few thousand splits, or the coefficients are not random.
        var seen = new HashSet<byte>();
        for (var i = 0; i < 4000; i++)
        {
            seen.Add(ShamirSecretSharing.Split(new byte[1], 2, 2)[0].Value[0]);
        }

        Assert.Equal(256, seen.Count);
    }

    private static IEnumerable<ShamirShare[]> Subsets(IReadOnlyList<ShamirShare> shares, int size)
    {
        var n = shares.Count;
        for (var mask = 0; mask < 1 << n; mask++)
        {
            if (int.PopCount(mask) == size)
            {
                yield return [.. Enumerable.Range(0, n).Where(i => (mask & (1 << i)) != 0).Select(i => shares[i])];
            }
        }
    }
}
