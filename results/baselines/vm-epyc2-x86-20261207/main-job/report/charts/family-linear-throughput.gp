# linear: GFLOP/s against sequence length
# Written by hybench report.  Re-plot: cd into this folder, gnuplot family-linear-throughput.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'family-linear-throughput.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "linear: GFLOP/s against sequence length"
set logscale xy
set xlabel 'sequence length (prefill tokens / decode context)'
set ylabel 'GFLOP/s'
set format y '%g'
set format x '%g'
set autoscale xfix
set offsets graph 0.06, graph 0.06, 0, 0
set xtics (512, 2048, 256, 1024, 4096)
plot \
  'family-linear-throughput.dat' index 0 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 1 lc rgb '#1f77b4' title "bench  x86/packed-avx2  prefill  dt_proj"  , \
'family-linear-throughput.dat' index 1 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 1 lc rgb '#d62728' title "bench  x86/packed-avx2  prefill  in_proj"  , \
'family-linear-throughput.dat' index 2 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 1 lc rgb '#2ca02c' title "bench  x86/packed-avx2  prefill  kv_proj"  , \
'family-linear-throughput.dat' index 3 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 1 lc rgb '#ff7f0e' title "bench  x86/packed-avx2  prefill  o_proj"  , \
'family-linear-throughput.dat' index 4 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 1 lc rgb '#9467bd' title "bench  x86/packed-avx2  prefill  out_proj"  , \
'family-linear-throughput.dat' index 5 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 1 lc rgb '#8c564b' title "bench  x86/packed-avx2  prefill  q_proj"  , \
'family-linear-throughput.dat' index 6 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 1 lc rgb '#e377c2' title "bench  x86/packed-avx2  prefill  x_proj"  , \
'family-linear-throughput.dat' index 7 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 2 lc rgb '#e377c2' title "bench  x86/packed-avx2  decode  dt_proj"  , \
'family-linear-throughput.dat' index 8 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 2 lc rgb '#17becf' title "bench  x86/packed-avx2  decode  in_proj"  , \
'family-linear-throughput.dat' index 9 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 2 lc rgb '#7f7f7f' title "bench  x86/packed-avx2  decode  kv_proj"  , \
'family-linear-throughput.dat' index 10 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 2 lc rgb '#bcbd22' title "bench  x86/packed-avx2  decode  o_proj"  , \
'family-linear-throughput.dat' index 11 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 2 lc rgb '#1f77b4' title "bench  x86/packed-avx2  decode  out_proj"  , \
'family-linear-throughput.dat' index 12 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 2 lc rgb '#d62728' title "bench  x86/packed-avx2  decode  q_proj"  , \
'family-linear-throughput.dat' index 13 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 2 lc rgb '#2ca02c' title "bench  x86/packed-avx2  decode  x_proj"  , \
'family-linear-throughput.dat' index 14 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 1 lc rgb '#ff7f0e' title "sweep  x86/packed-avx2  prefill  dt_proj"  , \
'family-linear-throughput.dat' index 15 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 1 lc rgb '#9467bd' title "sweep  x86/packed-avx2  prefill  in_proj"  , \
'family-linear-throughput.dat' index 16 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 1 lc rgb '#8c564b' title "sweep  x86/packed-avx2  prefill  kv_proj"  , \
'family-linear-throughput.dat' index 17 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 1 lc rgb '#e377c2' title "sweep  x86/packed-avx2  prefill  lm_head"  , \
'family-linear-throughput.dat' index 18 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 1 lc rgb '#17becf' title "sweep  x86/packed-avx2  prefill  out_proj"  , \
'family-linear-throughput.dat' index 19 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 1 lc rgb '#7f7f7f' title "sweep  x86/packed-avx2  prefill  q_proj"  , \
'family-linear-throughput.dat' index 20 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 1 lc rgb '#bcbd22' title "sweep  x86/packed-avx2  prefill  x_proj"  , \
'family-linear-throughput.dat' index 21 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#bcbd22' title "sweep  x86/packed-avx2  decode  dt_proj"  , \
'family-linear-throughput.dat' index 22 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#1f77b4' title "sweep  x86/packed-avx2  decode  dt_proj/streamed"  , \
'family-linear-throughput.dat' index 23 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#d62728' title "sweep  x86/packed-avx2  decode  in_proj"  , \
'family-linear-throughput.dat' index 24 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#2ca02c' title "sweep  x86/packed-avx2  decode  in_proj/streamed"  , \
'family-linear-throughput.dat' index 25 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#ff7f0e' title "sweep  x86/packed-avx2  decode  kv_proj"  , \
'family-linear-throughput.dat' index 26 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#9467bd' title "sweep  x86/packed-avx2  decode  kv_proj/streamed"  , \
'family-linear-throughput.dat' index 27 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#8c564b' title "sweep  x86/packed-avx2  decode  lm_head"  , \
'family-linear-throughput.dat' index 28 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#e377c2' title "sweep  x86/packed-avx2  decode  lm_head/streamed"  , \
'family-linear-throughput.dat' index 29 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#17becf' title "sweep  x86/packed-avx2  decode  out_proj"  , \
'family-linear-throughput.dat' index 30 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#7f7f7f' title "sweep  x86/packed-avx2  decode  out_proj/streamed"  , \
'family-linear-throughput.dat' index 31 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#bcbd22' title "sweep  x86/packed-avx2  decode  q_proj"  , \
'family-linear-throughput.dat' index 32 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#1f77b4' title "sweep  x86/packed-avx2  decode  q_proj/streamed"  , \
'family-linear-throughput.dat' index 33 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#d62728' title "sweep  x86/packed-avx2  decode  x_proj"  , \
'family-linear-throughput.dat' index 34 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#2ca02c' title "sweep  x86/packed-avx2  decode  x_proj/streamed"
