namespace ModelZoo.Training;

/// <summary>Collectives built from <see cref="IProcessGroup"/>'s primitives.</summary>
public static class ProcessGroupExtensions
{
    /// <summary>
    /// All-gather of small values: every process passes the same number of values and gets everyone's, rank 0's first
    /// (<c>WorldSize x values.Length</c>). Built on one all-reduce of a zeroed buffer in which each rank fills its own
    /// slots, so it suits counts and short lists, not tensors.
    /// </summary>
    public static double[] AllGather(this IProcessGroup group, double[] values)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(values);
        var all = new double[group.WorldSize * values.Length];
        values.CopyTo(all, group.Rank * values.Length);
        group.AllReduceSum(all);
        return all;
    }
}
