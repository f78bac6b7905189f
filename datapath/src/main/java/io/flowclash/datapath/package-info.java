/**
 * flowclash datapath library: the packet stream, the tuple, the flow tables of every design and the registry
 * that chooses them by id.
 *
 * <h2>Access-naming convention</h2>
 * Borrowed from JCTools: a method or comment prefix says what ordering an access has.
 * <ul>
 *     <li>{@code lp}/{@code sp}: plain load/store, no ordering.</li>
 *     <li>{@code la}/{@code sr}: load-acquire / store-release ({@code VarHandle.getAcquire}/{@code setRelease},
 *     Agrona {@code getLongAcquire}/{@code putLongRelease}).</li>
 *     <li>{@code lv}/{@code sv}: volatile load/store (sequentially consistent).</li>
 *     <li>{@code cas}: compare-and-set.</li>
 * </ul>
 * A barrier that carries a publication is marked where it happens, e.g. {@code // StoreStore: record before count}.
 */
package io.flowclash.datapath;
