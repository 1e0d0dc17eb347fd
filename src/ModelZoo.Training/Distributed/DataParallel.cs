namespace ModelZoo.Training;

/// <summary>Turns a trainer into one rank of a data-parallel run (what <c>mpirun -np N modelzoo train</c> does per process).</summary>
public static class DataParallel
{
    /// <summary>
    /// Broadcasts rank 0's weights into <paramref name="trainer"/>'s model, puts the gradient all-reduce first among its
    /// gradient hooks and makes <paramref name="group"/> its process group (rank 0 writes files, epoch sums and stop
    /// requests are agreed across ranks). Call it after the model's weights are final (pretrained import, resume)
    /// and give each rank its shard of the training data (<c>DataLoaderOptions.Rank</c>/<c>WorldSize</c>, drop-last, so
    /// every rank takes the same number of steps). Returns the hook.
    /// </summary>
    public static GradientAllReduce Attach(Trainer trainer, IProcessGroup group)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(group);
        DistributedSharding.BroadcastModel(trainer.Model, group);
        var hook = new GradientAllReduce(group);
        trainer.GradientHooks.Insert(0, hook);
        trainer.ProcessGroup = group;
        return hook;
    }
}
