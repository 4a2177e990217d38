# rmsnorm: time per call against sequence length
# Written by hybench report.  Re-plot: cd into this folder, gnuplot family-rmsnorm-time.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'family-rmsnorm-time.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "rmsnorm: time per call against sequence length"
set logscale xy
set xlabel 'sequence length (prefill tokens / decode context)'
set ylabel 'time per call (ms)'
set format y '%g'
set format x '%g'
set autoscale xfix
set offsets graph 0.06, graph 0.06, 0, 0
set xtics (512, 2048, 256, 1024, 4096)
plot \
  'family-rmsnorm-time.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 5 ps 0.8 dt 1 lc rgb '#1f77b4' title "bench  x86/rowwise-avx2  prefill  bc_layernorm"  , \
'family-rmsnorm-time.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 pt 5 ps 0.8 dt 1 lc rgb '#d62728' title "bench  x86/rowwise-avx2  prefill  dt_layernorm"  , \
'family-rmsnorm-time.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 pt 5 ps 0.8 dt 1 lc rgb '#2ca02c' title "bench  x86/rowwise-avx2  prefill  layernorm"  , \
'family-rmsnorm-time.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 pt 5 ps 0.8 dt 2 lc rgb '#2ca02c' title "bench  x86/rowwise-avx2  decode  bc_layernorm"  , \
'family-rmsnorm-time.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 pt 5 ps 0.8 dt 2 lc rgb '#ff7f0e' title "bench  x86/rowwise-avx2  decode  dt_layernorm"  , \
'family-rmsnorm-time.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 pt 5 ps 0.8 dt 2 lc rgb '#9467bd' title "bench  x86/rowwise-avx2  decode  layernorm"  , \
'family-rmsnorm-time.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 pt 9 ps 0.8 dt 1 lc rgb '#8c564b' title "sweep  x86/rowwise-avx2  prefill  dt_layernorm"  , \
'family-rmsnorm-time.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 pt 9 ps 0.8 dt 1 lc rgb '#e377c2' title "sweep  x86/rowwise-avx2  prefill  layernorm"  , \
'family-rmsnorm-time.dat' index 8 using 1:2:3:4 with yerrorlines lw 2 pt 9 ps 0.8 dt 2 lc rgb '#e377c2' title "sweep  x86/rowwise-avx2  decode  dt_layernorm"  , \
'family-rmsnorm-time.dat' index 9 using 1:2:3:4 with yerrorlines lw 2 pt 9 ps 0.8 dt 2 lc rgb '#17becf' title "sweep  x86/rowwise-avx2  decode  dt_layernorm/streamed"  , \
'family-rmsnorm-time.dat' index 10 using 1:2:3:4 with yerrorlines lw 2 pt 9 ps 0.8 dt 2 lc rgb '#7f7f7f' title "sweep  x86/rowwise-avx2  decode  layernorm"  , \
'family-rmsnorm-time.dat' index 11 using 1:2:3:4 with yerrorlines lw 2 pt 9 ps 0.8 dt 2 lc rgb '#bcbd22' title "sweep  x86/rowwise-avx2  decode  layernorm/streamed"
